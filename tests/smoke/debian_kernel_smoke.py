#!/usr/bin/env python3
"""Smoke test: boots Debian's cloud kernel with mimeo far enough to see its first console line.

The kernel is the uncompressed vmlinux that scripts/fetch-debian-kernel (run by
scripts/setup) unpacks from Debian's linux-image-*-cloud-amd64 package; mimeo
boots it through its PVH entry. The test passes when COM1 shows the kernel's
first line ("Linux version <release> ...", printed through earlyprintk) and the
command line it was given, and mimeo then stops cleanly on SIGTERM. Exits 77
(ctest SKIP_RETURN_CODE) with the reason when the kernel or /dev/kvm is missing.
See docs/smoke-test.md.
"""

import argparse
import os
import re
import signal
import subprocess
import sys
import threading
import time

SKIP = 77
CMDLINE = "console=ttyS0 earlyprintk=serial,ttyS0,115200"


class Output:
    """Collects a pipe's text in a thread; waiters see each new chunk."""

    def __init__(self, pipe):
        self.text = ""
        self.changed = threading.Condition()
        self.thread = threading.Thread(target=self._read, args=(pipe,), daemon=True)
        self.thread.start()

    def _read(self, pipe):
        # Read until EOF even after the test has what it wants: a full pipe
        # would block the VMM's serial output.
        while chunk := pipe.read1(65536):
            with self.changed:
                self.text += chunk.decode(errors="replace")
                self.changed.notify_all()
        with self.changed:
            self.changed.notify_all()

    def wait_for(self, pattern, deadline, process):
        """The first match of `pattern` in complete lines, or None on timeout or when the
        process ended."""
        with self.changed:
            while True:
                lines = self.text[: self.text.rfind("\n") + 1].replace("\r", "")
                match = re.search(pattern, lines, re.M)
                if match or process.poll() is not None:
                    return match
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self.changed.wait(min(remaining, 0.5))


def kernel_dir(args):
    if args.kernel_dir:
        return args.kernel_dir
    result = subprocess.run(
        [sys.executable, args.fetch_script, "--print-dir"],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def skip(reason):
    print(f"SKIP: {reason}")
    sys.exit(SKIP)


def fail(message, console, errors):
    print(f"FAIL: {message}")
    print("---- console (COM1) ----")
    print(console.text[-4000:])
    print("---- mimeo's standard error ----")
    print(errors.text[-2000:])
    sys.exit(1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mimeo", required=True, help="path of the mimeo binary")
    parser.add_argument("--fetch-script", help="scripts/fetch-debian-kernel (knows the directory)")
    parser.add_argument("--kernel-dir", help="directory holding vmlinux and PACKAGE")
    parser.add_argument("--timeout", type=float, default=120, help="seconds to wait for the line")
    args = parser.parse_args()

    directory = kernel_dir(args)
    vmlinux = os.path.join(directory, "vmlinux")
    if not os.path.isfile(vmlinux):
        why = ""
        if os.path.isfile(directory + ".why-missing"):
            with open(directory + ".why-missing") as f:
                why = f" (the last fetch said: {f.read().strip()})"
        skip(
            f"the Debian cloud kernel is not in {directory}{why}; "
            "scripts/setup fetches it with scripts/fetch-debian-kernel"
        )
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        skip("/dev/kvm is missing or not accessible")
    with open(os.path.join(directory, "PACKAGE")) as f:
        package, version = f.read().split()
    release = package.removeprefix("linux-image-")

    command = [
        args.mimeo, "run", "-m", "256M", "-kernel", vmlinux, "-append", CMDLINE,
        # CX16: KVM offers it here but its emulator cannot run lock cmpxchg16b
        # (docs/cpuid.md); harmless elsewhere.
        "-cpu", "host,-cx16",
        "-serial", "stdio", "-device", "isa-debug-exit,iobase=0xf4,iosize=1",
    ]
    print(f"booting {package} {version}: {' '.join(command)}", flush=True)
    start = time.monotonic()
    process = subprocess.Popen(
        command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    console, errors = Output(process.stdout), Output(process.stderr)
    try:
        deadline = start + args.timeout
        first = console.wait_for(r"Linux version (\S+)", deadline, process)
        if first is None:
            ended = process.poll()
            why = f"mimeo exited with status {ended}" if ended is not None else "timed out"
            fail(f"no 'Linux version' line within {args.timeout:.0f} s ({why})", console, errors)
        first_line_at = time.monotonic() - start
        if first.group(1) != release:
            fail(f"the kernel says it is {first.group(1)}, expected {release}", console, errors)
        echo = r"Command line: " + re.escape(CMDLINE) + "$"
        if console.wait_for(echo, deadline, process) is None:
            fail(f"the kernel did not echo the command line '{CMDLINE}'", console, errors)
        print(f"first console line after {first_line_at:.2f} s: {first.group(0)}", flush=True)

        stop_sent = time.monotonic()
        process.send_signal(signal.SIGTERM)
        try:
            status = process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            fail("mimeo did not exit within 20 s of SIGTERM", console, errors)
        console.thread.join(5)
        errors.thread.join(5)
        print(f"mimeo exited {time.monotonic() - stop_sent:.2f} s after SIGTERM, status {status}")
        if status != 0:
            fail(f"mimeo exited with status {status} after SIGTERM (expected 0)", console, errors)
        if "stopped on request" not in errors.text:
            fail("mimeo did not report that the VM stopped on request", console, errors)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
