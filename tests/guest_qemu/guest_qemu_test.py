#!/usr/bin/env python3
"""Boots mimeo's test guest under QEMU (-M microvm) and checks its console protocol.

Usage: guest_qemu_test.py --image build/guest/guest.elf [--accel kvm|tcg]
       guest_qemu_test.py --image ... --exception-via build/guest/guest.elf

Waits for `mimeo-guest ready`, runs every console command, checks each answer and
QEMU's exit status ((code << 1) | 1 from isa-debug-exit), and prints how long the
boot and the `dirty 4` / `sum` commands took. With --exception-via ELF it instead
overwrites the guest's code (the address of console_poll in that ELF's symbols)
with ud2 and checks the exception report and exit status 7. Exits 77 (ctest
SKIP_RETURN_CODE) when QEMU or, for --accel kvm, /dev/kvm is not available.
"""

import argparse
import os
import queue
import re
import shutil
import subprocess
import sys
import threading
import time

SKIP = 77
MIB = 1 << 20
DIRTY_BASE = 16 * MIB
SEED_MULTIPLIER = 0x9E3779B97F4A7C15
MASK64 = (1 << 64) - 1
RAM_MIB = 128
CMDLINE = "mimeo-guest-test key=value"


class TestFailure(Exception):
    pass


def expected_sum(mib, seed):
    """Sum of the pattern `dirty MIB SEED` writes: one 64-bit value per MiB."""
    total = 0
    for i in range(mib):
        total += (MIB // 8) * ((seed * SEED_MULTIPLIER + i) & MASK64)
    return total & MASK64


class Guest:
    """A QEMU process whose serial console is its stdin/stdout."""

    def __init__(self, qemu, image, accel):
        self.command = [
            qemu, "-M", "microvm", "-accel", accel, "-m", f"{RAM_MIB}M",
            "-nographic", "-no-reboot", "-kernel", image, "-append", CMDLINE,
            "-device", "isa-debug-exit,iobase=0xf4,iosize=1",
        ]
        self.started = time.monotonic()
        self.process = subprocess.Popen(
            self.command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE)
        self.lines = queue.Queue()
        self.transcript = []
        self.stderr = b""
        threading.Thread(target=self._read_stdout, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()

    def _read_stdout(self):
        pending = b""
        while True:
            chunk = os.read(self.process.stdout.fileno(), 4096)
            if not chunk:
                break
            pending += chunk
            while b"\n" in pending:
                line, pending = pending.split(b"\n", 1)
                text = line.decode(errors="replace").rstrip("\r")
                self.transcript.append(text)
                self.lines.put((time.monotonic(), text))
        self.lines.put((time.monotonic(), None))

    def _read_stderr(self):
        self.stderr = self.process.stderr.read()

    def next_line(self, timeout, waiting_for, exception_expected=False):
        try:
            when, line = self.lines.get(timeout=timeout)
        except queue.Empty:
            raise TestFailure(f"no answer within {timeout} s while waiting for {waiting_for}")
        if line is None:
            raise TestFailure(f"QEMU closed the console while waiting for {waiting_for}")
        if line.startswith("exception ") and not exception_expected:
            raise TestFailure(f"guest exception: {line}")
        return when, line

    def send(self, text):
        self.process.stdin.write(text.encode() + b"\n")
        self.process.stdin.flush()
        return time.monotonic()

    def ask(self, command, timeout=60):
        """Sends one command line and returns (its one answer line, seconds it took)."""
        sent = self.send(command)
        when, line = self.next_line(timeout, f"the answer to '{command[:40]}'")
        return line, when - sent

    def close(self):
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()


def check_equal(what, got, want):
    if got != want:
        raise TestFailure(f"{what}: got '{got}', want '{want}'")


def check_error(what, got):
    if not got.startswith("error: "):
        raise TestFailure(f"{what}: got '{got}', want an 'error: ...' line")


def check_mem(line):
    match = re.fullmatch(r"mem((?: 0x[0-9a-f]+-0x[0-9a-f]+:\d+)+)", line)
    if not match:
        raise TestFailure(f"mem: malformed answer '{line}'")
    entries = []
    for item in match.group(1).split():
        span, kind = item.split(":")
        start, end = (int(x, 16) for x in span.split("-"))
        entries.append((start, end, int(kind)))
    ram = [(s, e) for s, e, k in entries if k == 1]
    ram_bytes = sum(e - s for s, e in ram)
    if not (RAM_MIB - 1) * MIB <= ram_bytes <= RAM_MIB * MIB:
        raise TestFailure(f"mem: {ram_bytes} bytes of RAM listed, want about {RAM_MIB} MiB: '{line}'")
    if not any(s <= DIRTY_BASE and DIRTY_BASE + 4 * MIB <= e for s, e in ram):
        raise TestFailure(f"mem: no RAM entry covers 16 MiB..20 MiB: '{line}'")


def run(guest, timings):
    deadline = 120
    while True:
        when, line = guest.next_line(deadline, "'mimeo-guest ready'")
        if line == "mimeo-guest ready":
            timings["boot to ready"] = when - guest.started
            break

    check_equal("ping", guest.ask("ping")[0], "pong")
    check_equal("cmdline", guest.ask("cmdline")[0], f"cmdline {CMDLINE}")
    check_mem(guest.ask("mem")[0])
    check_equal("sum before any dirty", guest.ask("sum")[0], "sum 0x0000000000000000")

    check_equal("write", guest.ask("write 0x2000008 0x1122334455667788")[0], "ok")
    check_equal("read", guest.ask("read 2000008")[0], "0x1122334455667788")
    check_equal("write without 0x", guest.ask("write 2000010 FFFF")[0], "ok")
    check_equal("read back", guest.ask("read 0x2000010")[0], "0x000000000000ffff")
    check_error("read outside RAM", guest.ask(f"read {hex(RAM_MIB * MIB)}")[0])
    check_error("write outside RAM", guest.ask("write 0xfee00000 1")[0])
    check_error("read of a bad number", guest.ask("read 0xzz")[0])

    check_equal("dirty 1", guest.ask("dirty 1")[0], "dirtied 1 MiB")
    check_equal("pattern of dirty 1", guest.ask(f"read {hex(DIRTY_BASE)}")[0],
                f"0x{SEED_MULTIPLIER:016x}")
    check_equal("sum after dirty 1", guest.ask("sum")[0], f"sum 0x{expected_sum(1, 1):016x}")
    check_equal("dirty 2 7", guest.ask("dirty 2 7")[0], "dirtied 2 MiB")
    want = f"sum 0x{expected_sum(2, 7):016x}"
    check_equal("sum after dirty 2 7", guest.ask("sum")[0], want)
    check_error("dirty beyond RAM", guest.ask(f"dirty {RAM_MIB}")[0])
    check_equal("sum after a refused dirty", guest.ask("sum")[0], want)
    check_equal("write into the dirtied region", guest.ask(f"write {hex(DIRTY_BASE)} 0")[0], "ok")
    check_equal("sum after that write", guest.ask("sum")[0],
                f"sum 0x{(expected_sum(2, 7) - (7 * SEED_MULTIPLIER & MASK64)) & MASK64:016x}")

    answer, took = guest.ask("dirty 4")
    check_equal("dirty 4", answer, "dirtied 4 MiB")
    timings["dirty 4"] = took
    answer, took = guest.ask("sum")
    check_equal("sum after dirty 4", answer, f"sum 0x{expected_sum(4, 1):016x}")
    timings["sum over 4 MiB"] = took

    first = guest.ask("ticks")[0]
    time.sleep(0.5)
    second = guest.ask("ticks")[0]
    for line in (first, second):
        if not re.fullmatch(r"ticks \d+", line):
            raise TestFailure(f"ticks: malformed answer '{line}'")
    if int(second.split()[1]) <= int(first.split()[1]):
        raise TestFailure(f"ticks did not advance in 0.5 s: '{first}' then '{second}'")

    # QEMU has no mimeo identity device: its ports read 0xff, the signature does not match.
    check_equal("identity without the device", guest.ask("identity")[0], "identity none")
    check_error("identity with an argument", guest.ask("identity 1")[0])

    check_equal("unknown command", guest.ask("bogus 1 2")[0], "error: unknown command 'bogus'")
    # Only the exact line "ping" takes the fast path; the rest is split into words.
    check_equal("ping between blanks", guest.ask(" \tping \r")[0], "pong")
    check_equal("ping with an argument", guest.ask("ping 1")[0], "pong")
    check_equal("control bytes in a word", guest.ask("pi\x00n\x1bg\x7f")[0],
                "error: unknown command 'pi?n?g?'")
    check_error("overlong line", guest.ask("x" * 300)[0])
    check_equal("ping after the overlong line", guest.ask("ping\r")[0], "pong")
    check_error("exit with a bad code", guest.ask("exit 256")[0])

    check_equal("exit 5", guest.ask("exit 5")[0], "exiting 5")
    try:
        status = guest.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        raise TestFailure("QEMU did not exit within 30 s of 'exit 5'")
    check_equal("QEMU exit status after 'exit 5'", status, 11)


def symbol_address(elf, name):
    """The address of a symbol in elf, read with nm."""
    nm = shutil.which("nm")
    if nm is None:
        raise TestFailure("nm (binutils) is needed to find guest symbols")
    output = subprocess.run([nm, elf], check=True, capture_output=True, text=True).stdout
    for line in output.splitlines():
        fields = line.split()
        if len(fields) == 3 and fields[2] == name:
            return int(fields[0], 16)
    raise TestFailure(f"no symbol {name} in {elf}")


def run_exception(guest, symbols, timings):
    """Plants ud2 where the main loop will call next; expects exception 6 and exit code 3."""
    target = symbol_address(symbols, "console_poll")
    when, line = guest.next_line(120, "'mimeo-guest ready'")
    while line != "mimeo-guest ready":
        when, line = guest.next_line(120, "'mimeo-guest ready'")
    timings["boot to ready"] = when - guest.started
    check_equal("planting ud2", guest.ask(f"write {target:#x} 0x0b0f0b0f0b0f0b0f")[0], "ok")
    _, line = guest.next_line(60, "the exception report", exception_expected=True)
    # The ud2s fill 8 bytes: the loop may come back into them past the entry.
    found = re.fullmatch(r"exception 6 rip=0x([0-9a-f]{16}) err=0x0000000000000000", line)
    if not found or not target <= int(found.group(1), 16) < target + 8:
        raise TestFailure(f"exception report: got {line!r}, want exception 6 with rip in "
                          f"[{target:#x}, {target + 8:#x}) and err 0")
    try:
        status = guest.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        raise TestFailure("QEMU did not exit within 30 s of the exception")
    check_equal("QEMU exit status after an exception", status, 7)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--image", required=True, help="guest.elf or guest.bzImage")
    parser.add_argument("--accel", default="tcg", choices=["kvm", "tcg"])
    parser.add_argument("--exception-via", metavar="ELF",
                        help="test exception reporting; ELF holds the image's symbols")
    parser.add_argument("--qemu", default=os.environ.get("QEMU", "qemu-system-x86_64"))
    args = parser.parse_args()

    qemu = shutil.which(args.qemu)
    if qemu is None:
        print(f"SKIP: {args.qemu} is not installed (Debian: apt-get install qemu-system-x86)")
        return SKIP
    if args.accel == "kvm" and not os.access("/dev/kvm", os.R_OK | os.W_OK):
        print("SKIP: /dev/kvm is not usable, cannot run QEMU with -accel kvm")
        return SKIP
    if not os.path.isfile(args.image):
        print(f"FAIL: guest image {args.image} does not exist (build the 'guest' target)")
        return 1

    guest = Guest(qemu, args.image, args.accel)
    timings = {}
    try:
        if args.exception_via:
            run_exception(guest, args.exception_via, timings)
        else:
            run(guest, timings)
    except TestFailure as failure:
        guest.close()
        print(f"FAIL ({os.path.basename(args.image)}, {args.accel}): {failure}")
        print("command: " + " ".join(guest.command))
        print("console transcript:\n  " + "\n  ".join(guest.transcript))
        if guest.stderr:
            print("QEMU stderr:\n" + guest.stderr.decode(errors="replace"))
        return 1
    finally:
        guest.close()
    summary = ", ".join(f"{name} {seconds * 1000:.0f} ms" for name, seconds in timings.items())
    print(f"PASS ({os.path.basename(args.image)}, {args.accel}): {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
