"""Many VMM processes at once, driven by one event loop (no threads).

A Clone is one process whose guest console is its stdin/stdout. start()
spawns it; for a system driven through QMP it then connects to the QMP
socket, negotiates, polls `query-status` until the incoming migration has
left the VM "paused" (a clone of a stopped template arrives paused), sends
`cont`; then (or at once for `mimeo clone`, which runs the guest itself) it
writes `ping` and the clone is ready when `pong` is read. All times are
time.perf_counter_ns() since just before Popen.
"""

import heapq
import json
import os
import re
import selectors
import signal
import socket
import subprocess
import time

from . import qmp

PONG = re.compile(rb"^pong\r?\n", re.MULTILINE)


class CloneError(Exception):
    pass


class Driver:
    """select() over every clone's descriptors, plus timers."""

    def __init__(self):
        self.selector = selectors.DefaultSelector()
        self.timers = []
        self.sequence = 0

    def watch(self, fd, callback):
        self.selector.register(fd, selectors.EVENT_READ, callback)

    def unwatch(self, fd):
        try:
            self.selector.unregister(fd)
        except (KeyError, ValueError):
            pass

    def after(self, seconds, callback):
        self.sequence += 1
        heapq.heappush(self.timers, (time.monotonic() + seconds, self.sequence, callback))

    def run_until(self, done, timeout_s, what):
        deadline = time.monotonic() + timeout_s
        while not done():
            now = time.monotonic()
            while self.timers and self.timers[0][0] <= now:
                heapq.heappop(self.timers)[2]()
                now = time.monotonic()
            if done():
                return
            if now > deadline:
                raise CloneError(f"timed out after {timeout_s:g} s waiting for {what}")
            wait = deadline - now
            if self.timers:
                wait = min(wait, max(self.timers[0][0] - now, 0))
            for key, _ in self.selector.select(wait):
                key.data()


class Clone:
    def __init__(self, driver, argv, qmp_path=None, name="", setup=()):
        """setup: QMP commands [(command, arguments)] sent after negotiation,
        before the run state is polled (QEMU's -incoming defer flow)."""
        self.driver = driver
        self.setup = list(setup)
        self.argv = argv
        self.qmp_path = qmp_path
        self.name = name
        self.out = bytearray()
        self.err = bytearray()
        self.error = None
        self.proc = None
        self.pidfd = None
        self.sock = None
        self.qmp_buffer = b""
        self.reply_handler = None
        self.marks = {}  # milestone -> ns since t0
        self.wait_pattern = None
        self.wait_from = 0
        self.status = None

    # -- start-up ---------------------------------------------------------
    def start(self):
        self.t0 = time.perf_counter_ns()
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, bufsize=0)
        self.marks["spawned"] = self.now()
        for pipe, buffer in ((self.proc.stdout, self.out), (self.proc.stderr, self.err)):
            os.set_blocking(pipe.fileno(), False)
            self.driver.watch(pipe.fileno(), lambda p=pipe, b=buffer: self._read(p, b))
        self.pidfd = os.pidfd_open(self.proc.pid)
        self.driver.watch(self.pidfd, self._exited)
        if self.qmp_path:
            self._try_connect()
        else:
            self._ping()

    def now(self):
        return time.perf_counter_ns() - self.t0

    @property
    def ready(self):
        return "pong" in self.marks or self.error is not None

    @property
    def reaped(self):
        return self.status is not None

    def _fail(self, message):
        if self.error is None:
            self.error = message

    def _read(self, pipe, buffer):
        try:
            chunk = os.read(pipe.fileno(), 65536)
        except BlockingIOError:
            return
        if not chunk:
            self.driver.unwatch(pipe.fileno())
            return
        buffer.extend(chunk)
        if buffer is self.out and self.wait_pattern is not None:
            match = self.wait_pattern[0].search(self.out, self.wait_from)
            if match:
                key = self.wait_pattern[1]
                self.wait_pattern = None
                self.marks[key] = self.now()
                self.last_match = match

    def _exited(self):
        self.driver.unwatch(self.pidfd)
        self.status = self.proc.wait()
        self.marks["reaped"] = self.now()
        if "pong" not in self.marks:
            self._fail(f"exited with status {self.status} before answering")

    # -- QMP ----------------------------------------------------------------
    def _try_connect(self):
        if self.reaped:
            return
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.connect(self.qmp_path)
        except (FileNotFoundError, ConnectionRefusedError):
            sock.close()
            self.driver.after(0.001, self._try_connect)
            return
        sock.setblocking(False)
        self.sock = sock
        self.marks["qmp_connected"] = self.now()
        self.driver.watch(sock.fileno(), self._qmp_readable)
        self.reply_handler = self._greeted

    def _qmp_send(self, command, handler, arguments=None):
        self.reply_handler = handler
        message = {"execute": command}
        if arguments is not None:
            message["arguments"] = arguments
        self.sock.sendall(json.dumps(message).encode() + b"\n")

    def _qmp_readable(self):
        try:
            chunk = self.sock.recv(65536)
        except BlockingIOError:
            return
        except ConnectionError:
            chunk = b""
        if not chunk:
            self.driver.unwatch(self.sock.fileno())
            return
        messages, self.qmp_buffer = qmp.split_messages(self.qmp_buffer + chunk)
        for message in messages:
            if "event" in message:
                continue
            if "error" in message:
                self._fail(f"QMP error: {message['error'].get('desc')}")
                continue
            handler, self.reply_handler = self.reply_handler, None
            if handler:
                handler(message)

    def _greeted(self, _):
        self._qmp_send("qmp_capabilities", lambda _: self._next_setup())

    def _next_setup(self):
        if not self.setup:
            self._query_status()
            return
        command, arguments = self.setup.pop(0)
        self._qmp_send(command, lambda _: self._next_setup(), arguments)

    def _query_status(self):
        if not self.reaped:
            self._qmp_send("query-status", self._status)

    def _status(self, message):
        state = message["return"]["status"]
        if state == "paused":
            self.marks["restored"] = self.now()
            self._qmp_send("cont", lambda _: self._continued())
        elif state == "running":  # never for a clone of a stopped template
            self._continued()
        elif state == "inmigrate":
            self.driver.after(0.0005, self._query_status)
        else:
            self._fail(f"unexpected run state '{state}' after the incoming migration")

    def _continued(self):
        self.marks["running"] = self.now()
        self._ping()

    # -- console --------------------------------------------------------------
    def expect(self, text_sent, pattern, key):
        """Writes a console line and waits (through the driver) for pattern as mark key."""
        self.wait_from = len(self.out)
        self.wait_pattern = (pattern, key)
        self.marks[key + "_sent"] = self.now()
        try:
            self.proc.stdin.write(text_sent.encode())
        except BrokenPipeError:
            self._fail(f"console closed before {text_sent.strip()!r}")

    def _ping(self):
        self.expect("ping\n", PONG, "pong")

    def command(self, line, pattern, key, timeout_s):
        """Sends line and runs the driver until pattern is read; its match."""
        self.expect(line, pattern, key)
        self.driver.run_until(lambda: key in self.marks or self.error or self.reaped,
                              timeout_s, f"{line.strip()!r} in {self.name}")
        if key not in self.marks:
            raise CloneError(self.error or f"{self.name} ended before answering {line.strip()!r}")
        return self.last_match

    # -- tear-down ------------------------------------------------------------
    def stop(self, how):
        """'exit' (console `exit 0`) or 'sigterm'; mark teardown_sent."""
        self.marks["teardown_sent"] = self.now()
        if self.reaped:
            return
        if how == "exit":
            try:
                self.proc.stdin.write(b"exit 0\n")
            except BrokenPipeError:
                pass
        else:
            self.proc.send_signal(signal.SIGTERM)

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def close(self):
        """Kills the process if needed and releases every descriptor."""
        self.kill()
        if self.proc:
            for pipe in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
                self.driver.unwatch(pipe.fileno())
                pipe.close()
        if self.pidfd is not None:
            self.driver.unwatch(self.pidfd)
            os.close(self.pidfd)
            self.pidfd = None
        if self.sock:
            self.driver.unwatch(self.sock.fileno())
            self.sock.close()
            self.sock = None
        if self.qmp_path and os.path.exists(self.qmp_path):
            os.unlink(self.qmp_path)

    def tail(self, limit=300):
        return (f"stdout ...{self.out[-limit:].decode(errors='replace')!r} "
                f"stderr ...{self.err[-limit:].decode(errors='replace')!r}")
