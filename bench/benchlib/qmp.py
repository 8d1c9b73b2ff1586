"""QMP (QEMU Machine Protocol) over a Unix socket: a blocking client and a line parser.

Both QEMU 7.2 and mimeo (docs/qmp.md) speak it; the benchmark drives them the
same way, one command at a time, ignoring asynchronous events.
"""

import json
import socket
import time


class QmpError(Exception):
    """A QMP error reply, a closed connection or a timeout."""


def split_messages(buffer):
    """Complete JSON lines of buffer: (messages, rest)."""
    messages = []
    while b"\n" in buffer:
        line, _, buffer = buffer.partition(b"\n")
        if line.strip():
            messages.append(json.loads(line))
    return messages, buffer


def connect_unix(path, deadline):
    """Connects to path, retrying while it does not exist or does not listen yet."""
    while True:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.connect(path)
            return sock
        except (FileNotFoundError, ConnectionRefusedError):
            sock.close()
            if time.monotonic() > deadline:
                raise QmpError(f"no QMP socket at {path}") from None
            time.sleep(0.001)


class QmpClient:
    """A negotiated QMP session; execute() returns the `return` member."""

    def __init__(self, path, timeout_s=10.0):
        self.timeout_s = timeout_s
        self.sock = connect_unix(path, time.monotonic() + timeout_s)
        self.sock.settimeout(timeout_s)
        self.buffer = b""
        self.pending = []
        greeting = self._next()
        if "QMP" not in greeting:
            raise QmpError(f"not a QMP greeting: {greeting}")
        self.greeting = greeting["QMP"]
        self.execute("qmp_capabilities")

    def close(self):
        self.sock.close()

    def _next(self):
        while not self.pending:
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout as error:
                raise QmpError("QMP reply timed out") from error
            if not chunk:
                raise QmpError("QMP connection closed")
            messages, self.buffer = split_messages(self.buffer + chunk)
            self.pending.extend(messages)
        return self.pending.pop(0)

    def execute(self, command, arguments=None):
        message = {"execute": command}
        if arguments is not None:
            message["arguments"] = arguments
        self.sock.sendall(json.dumps(message).encode() + b"\n")
        while True:
            reply = self._next()
            if "event" in reply:
                continue
            if "error" in reply:
                raise QmpError(f"{command}: {reply['error'].get('desc', reply['error'])}")
            return reply.get("return")

    def wait_migration(self, poll_s=0.001):
        """Polls query-migrate until completed (QEMU migrates in the background)."""
        deadline = time.monotonic() + self.timeout_s
        while True:
            status = self.execute("query-migrate").get("status")
            if status == "completed":
                return
            if status in ("failed", "cancelled"):
                raise QmpError(f"migration {status}")
            if time.monotonic() > deadline:
                raise QmpError(f"migration still '{status}' after {self.timeout_s:g} s")
            time.sleep(poll_s)
