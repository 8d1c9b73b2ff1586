"""One timed run of a VMM whose guest console is the process's stdin/stdout.

Every time is taken with time.perf_counter_ns() (CLOCK_MONOTONIC) and is
relative to the instant just before subprocess.Popen, so it includes creating
and exec'ing the process. An output event is timed when the read() that
returned its last byte came back.
"""

import os
import re
import selectors
import subprocess
import time

READY = re.compile(rb"^mimeo-guest ready\r?\n", re.MULTILINE)
PONG = re.compile(rb"^pong\r?\n", re.MULTILINE)


class RunError(Exception):
    """A run that produced no number: timeout, early exit, wrong exit status."""


class ConsoleProcess:
    """A started process; its stdout is read with arrival times, stderr is kept."""

    def __init__(self, argv, timeout_s):
        self.out = bytearray()
        self.err = bytearray()
        self._arrivals = []  # (end offset in self.out, ns) per stdout read
        self._open = 2
        self.t0 = time.perf_counter_ns()
        self.deadline = self.t0 + int(timeout_s * 1e9)
        self.timeout_s = timeout_s
        self.proc = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            bufsize=0)
        self._selector = selectors.DefaultSelector()
        self._selector.register(self.proc.stdout, selectors.EVENT_READ, self.out)
        self._selector.register(self.proc.stderr, selectors.EVENT_READ, self.err)

    def close(self):
        """Kills the process if it still runs and releases everything."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._selector.close()
        for pipe in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            pipe.close()

    def _pump(self):
        """Waits for output until the deadline; False once both pipes are closed."""
        if self._open == 0:
            return False
        remaining = (self.deadline - time.perf_counter_ns()) / 1e9
        if remaining <= 0:
            raise RunError(f"timed out after {self.timeout_s:g} s")
        for key, _ in self._selector.select(remaining):
            chunk = os.read(key.fd, 65536)
            now = time.perf_counter_ns()
            if not chunk:
                self._selector.unregister(key.fileobj)
                self._open -= 1
                continue
            key.data.extend(chunk)
            if key.data is self.out:
                self._arrivals.append((len(self.out), now))
        return True

    def _arrival_of(self, offset):
        """When the stdout byte at offset - 1 arrived (ns since t0)."""
        for end, ns in self._arrivals:
            if end >= offset:
                return ns - self.t0
        raise AssertionError("offset beyond the output read so far")

    def wait_output(self, what, found):
        """Reads until found(out) gives an end offset; returns its arrival in ns."""
        while True:
            end = found(self.out)
            if end is not None:
                return self._arrival_of(end)
            if not self._pump():
                raise RunError(f"the process closed its output before {what}")

    def wait_line(self, what, pattern, start):
        """Like wait_output for a whole line matching pattern at or after start."""
        def found(out):
            match = pattern.search(out, start)
            return match.end() if match else None
        return self.wait_output(what, found)

    def send(self, text):
        """Writes one console line; returns when it began to be written (ns since t0).

        The time is taken before write(): the write can wake the VMM, which may
        then run, and answer, before this process gets the CPU back.
        """
        sent = time.perf_counter_ns() - self.t0
        try:
            self.proc.stdin.write(text.encode())
        except BrokenPipeError as error:
            raise RunError(f"the process closed its console input before {text!r}") from error
        return sent

    def wait_exit(self):
        """Reads both pipes to their end, reaps the process; (status, ns since t0)."""
        while self._pump():
            pass
        remaining = (self.deadline - time.perf_counter_ns()) / 1e9
        try:
            status = self.proc.wait(max(remaining, 0.001))
        except subprocess.TimeoutExpired as error:
            raise RunError(f"timed out after {self.timeout_s:g} s waiting for the exit") from error
        return status, time.perf_counter_ns() - self.t0

    def tail(self, limit=400):
        """The last bytes of stdout and stderr, for error reports."""
        def cut(data):
            return data[-limit:].decode(errors="replace")
        return {"stdout_tail": cut(self.out), "stderr_tail": cut(self.err)}


def ms(ns):
    return ns / 1e6


def measure(argv, timeout_s, expected_status):
    """Starts argv, times the console milestones, sends `exit 0`, checks the status.

    Returns a dict of milliseconds since just before Popen: first_byte, ready,
    pong, total (process reaped), plus ping_rtt and exit (from sending `exit 0`
    to the process being reaped). Raises RunError (with .details) on failure.
    """
    run = ConsoleProcess(argv, timeout_s)
    try:
        first = run.wait_output("the first console byte", lambda out: 1 if out else None)
        ready = run.wait_line("the `mimeo-guest ready` line", READY, 0)
        ready_end = READY.search(run.out).end()
        ping_sent = run.send("ping\n")
        pong = run.wait_line("the answer to ping", PONG, ready_end)
        exit_sent = run.send("exit 0\n")
        status, total = run.wait_exit()
        if status != expected_status:
            raise RunError(f"exit status {status}, expected {expected_status}")
        return {
            "first_byte": ms(first), "ready": ms(ready), "pong": ms(pong),
            "total": ms(total), "ping_rtt": ms(pong - ping_sent), "exit": ms(total - exit_sent),
            "status": status,
        }
    except RunError as error:
        error.details = run.tail()
        raise
    finally:
        run.close()
