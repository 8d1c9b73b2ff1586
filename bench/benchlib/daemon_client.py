"""A `mimeo serve` of the benchmark's own, and its REST API over a Unix socket.

The daemon is started on a socket and state directory in a temporary
directory, with stderr in a log file there; requests are HTTP/1.1 with JSON
bodies on one kept-alive connection per Client (docs/api.md).
"""

import http.client
import json
import os
import signal
import socket
import subprocess
import time


class ApiError(Exception):
    """A request that failed, or an answer with a status that was not expected."""


class _UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout):
        super().__init__("localhost", timeout=timeout)
        self.unix_path = path

    def connect(self):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        sock.connect(self.unix_path)
        self.sock = sock


class Client:
    """One kept-alive connection; reconnects when the daemon closed an idle one."""

    def __init__(self, path, timeout_s=600.0):
        self.path = path
        self.timeout_s = timeout_s
        self.conn = None

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def request(self, method, target, body=None, expect=(200, 201, 204)):
        """(status, parsed JSON or text) of one request; ApiError on another status."""
        data = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"} if data is not None else {}
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = _UnixHTTPConnection(self.path, self.timeout_s)
            try:
                self.conn.request(method, target, body=data, headers=headers)
                response = self.conn.getresponse()
                raw = response.read()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # An idle kept-alive connection closed by the daemon (30 s): once more.
                self.close()
                if attempt:
                    raise
        if response.getheader("Connection", "").lower() == "close":
            self.close()
        kind = response.getheader("Content-Type", "")
        parsed = json.loads(raw) if raw and "json" in kind else raw.decode(errors="replace")
        if response.status not in expect:
            raise ApiError(f"{method} {target}: HTTP {response.status}: {parsed}")
        return response.status, parsed

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
            except (OSError, ApiError, http.client.HTTPException):
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
