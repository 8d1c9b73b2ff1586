"""A `mimeo serve` of the benchmark's own, and its REST API over a Unix socket.

The daemon is started on a socket and state directory in a temporary
directory, with stderr in a log file there; requests are HTTP/1.1 with JSON
bodies on one kept-alive connection per Client (docs/api.md).
"""

import json
import os
import signal
import socket
import subprocess
import time

from .console_ping import new_socket


class ApiError(Exception):
    """A request that failed, or an answer with a status that was not expected."""


class _Disconnected(Exception):
    """The daemon closed the connection before an answer began (a stale kept-alive one)."""


class Client:
    """HTTP/1.1 on one kept-alive Unix-socket connection; reconnects when the
    daemon closed an idle one.

    A small client of its own rather than http.client: the request goes out in
    one send() and the answer is read with as few recv() calls as it arrives
    in. On this machine http.client took about 0.45 ms for GET /health after
    50 ms idle against 0.16 ms for this, and the difference is the client's,
    not the daemon's. The daemon always answers with Content-Length (docs/api.md).
    """

    def __init__(self, path, timeout_s=600.0):
        self.path = path
        self.timeout_s = timeout_s
        self.sock = None
        self.buffer = b""

    def close(self):
        if self.sock is not None:
            self.sock.close()
            self.sock = None
        self.buffer = b""

    def _connect(self):
        sock = new_socket(self.timeout_s)
        try:
            sock.connect(self.path)
        except OSError:
            sock.close()
            raise
        self.sock = sock
        self.buffer = b""

    def _fill(self, first):
        try:
            chunk = self.sock.recv(65536)
        except BlockingIOError:
            raise ApiError(f"{self.path}: no answer within {self.timeout_s:g} s") from None
        if not chunk:
            if first:
                raise _Disconnected()
            raise ApiError(f"{self.path}: the daemon closed the connection in an answer")
        self.buffer += chunk

    def _read_answer(self, method):
        """(status, headers with lowercase names, body bytes)."""
        first = True
        while b"\r\n\r\n" not in self.buffer:
            self._fill(first and not self.buffer)
            first = False
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
            raise ApiError(f"{self.path}: not an HTTP answer: {lines[0]!r}")
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        status = int(parts[1])
        length = 0 if method == "HEAD" or status in (204, 304) else None
        if length is None:
            if "content-length" not in headers:
                raise ApiError(f"{self.path}: an answer without Content-Length: {lines[0]!r}")
            length = int(headers["content-length"])
        while len(self.buffer) < length:
            self._fill(False)
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return status, headers, body

    @staticmethod
    def encode(method, target, body=None):
        """The bytes of one request (JSON body when body is not None)."""
        data = b"" if body is None else json.dumps(body).encode()
        head = f"{method} {target} HTTP/1.1\r\nHost: localhost\r\n"
        if body is not None:
            head += f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n"
        return head.encode() + b"\r\n" + data

    def exchange(self, method, message):
        """Sends an encoded request, reads its answer: (status, headers, body bytes),
        nothing parsed beyond the header (for a timed path)."""
        for attempt in (0, 1):
            if self.sock is None:
                self._connect()
            try:
                self.sock.sendall(message)
                status, headers, raw = self._read_answer(method)
                break
            except (_Disconnected, BrokenPipeError, ConnectionResetError):
                # An idle kept-alive connection closed by the daemon (30 s): once more.
                self.close()
                if attempt:
                    raise ApiError(f"{self.path}: the daemon closed the connection")
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status, headers, raw

    @staticmethod
    def parse(method, target, answer, expect=(200, 201, 204)):
        """(status, parsed JSON or text) of an exchange()'s answer; ApiError on another status."""
        status, headers, raw = answer
        kind = headers.get("content-type", "")
        parsed = json.loads(raw) if raw and "json" in kind else raw.decode(errors="replace")
        if status not in expect:
            raise ApiError(f"{method} {target}: HTTP {status}: {parsed}")
        return status, parsed

    def request(self, method, target, body=None, expect=(200, 201, 204)):
        """(status, parsed JSON or text) of one request; ApiError on another status."""
        answer = self.exchange(method, self.encode(method, target, body))
        return self.parse(method, target, answer, expect)

    def get(self, target):
        return self.request("GET", target)[1]

    def post(self, target, body):
        return self.request("POST", target, body, expect=(200, 201, 207))

    def delete(self, target):
        return self.request("DELETE", target, expect=(204,))


class Daemon:
    """`mimeo serve` on WORK/mimeo.sock with state in WORK/state, log in WORK/serve.log."""

    def __init__(self, mimeo, work, pool_size):
        self.socket = os.path.join(work, "mimeo.sock")
        self.state_dir = os.path.join(work, "state")
        self.log_path = os.path.join(work, "serve.log")
        self.argv = [mimeo, "serve", "--socket", self.socket, "--state-dir", self.state_dir,
                     "--pool-size", str(pool_size)]
        self.proc = None
        self._log = None

    @property
    def pid(self):
        return self.proc.pid

    def start(self, timeout_s=30.0):
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=self._log,
                                     stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout_s
        while True:
            if self.proc.poll() is not None:
                raise ApiError(f"mimeo serve exited with status {self.proc.returncode}: "
                               f"{self.log_tail()}")
            try:
                client = Client(self.socket, 5.0)
                client.get("/health")
                client.close()
                return
            except (OSError, ApiError):
                if time.monotonic() > deadline:
                    raise ApiError(f"mimeo serve did not answer within {timeout_s:g} s: "
                                   f"{self.log_tail()}") from None
                time.sleep(0.02)

    def log_tail(self, limit=600):
        try:
            with open(self.log_path, "rb") as log:
                return log.read()[-limit:].decode(errors="replace")
        except OSError:
            return ""

    def stop(self, timeout_s=30.0):
        """SIGTERM, then SIGKILL after timeout_s; the exit status."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout_s)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self._log:
            self._log.close()
        return self.proc.returncode


def process_facts(pid):
    """{rss_kib, threads, fds} of a live process from /proc."""
    facts = {}
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            key, _, value = line.partition(":")
            if key == "VmRSS":
                facts["rss_kib"] = int(value.split()[0])
            elif key == "Threads":
                facts["threads"] = int(value)
    facts["fds"] = len(os.listdir(f"/proc/{pid}/fd"))
    return facts


def is_worker_of(pid, state_dir):
    """Whether pid is still a `mimeo worker` whose command line names state_dir
    (so that a pid reused by another process is never signalled)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            argv = cmdline.read().split(b"\0")
    except OSError:
        return False
    return b"worker" in argv and any(state_dir.encode() in a for a in argv)
