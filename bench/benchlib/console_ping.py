"""`ping` over a clone's console socket (the guest's COM1, docs/guest.md).

The daemon's clones have a Unix socket for COM1; output from before a client
connected is dropped, so a client connects, writes `ping\\n` and waits for a
line containing `pong`. Times are time.perf_counter_ns().
"""

import re
import resource
import selectors
import socket
import struct
import time

PONG = re.compile(rb"pong\r?\n")


class PingError(Exception):
    pass


def _read_pong(sock, path):
    buffer = b""
    while not PONG.search(buffer):
        chunk = sock.recv(4096)
        if not chunk:
            raise PingError(f"{path}: the console closed before `pong` (read {buffer!r})")
        buffer += chunk


def new_socket(timeout_s):
    """A Unix stream socket for ping(), made before the clock starts.

    Blocking, with the timeout as SO_RCVTIMEO/SO_SNDTIMEO in the kernel:
    Python's own timeouts poll() before every call, one more system call
    and wake-up each time.
    """
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    seconds = int(timeout_s)
    timeval = struct.pack("ll", seconds, int((timeout_s - seconds) * 1e6))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, timeval)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, timeval)
    return sock


def ping(path, timeout_s, again=False, sock=None):
    """Connects to path, sends ping, reads to the pong line.

    Returns {connected, pong} in ns (perf_counter_ns); with again, a second
    ping on the same connection also gives {again_sent, again_pong}: the
    round trip of a guest that is already running. sock: from new_socket()
    (closed here), else one is made.
    """
    if sock is None:
        sock = new_socket(timeout_s)
    try:
        sock.connect(path)
        times = {"connected": time.perf_counter_ns()}
        sock.sendall(b"ping\n")
        _read_pong(sock, path)
        times["pong"] = time.perf_counter_ns()
        if again:
            times["again_sent"] = time.perf_counter_ns()
            sock.sendall(b"ping\n")
            _read_pong(sock, path)
            times["again_pong"] = time.perf_counter_ns()
        return times
    except (socket.timeout, BlockingIOError) as error:
        raise PingError(f"{path}: no `pong` within {timeout_s:g} s") from error
    except OSError as error:
        raise PingError(f"{path}: {error}") from error
    finally:
        sock.close()


def ping_all(paths, timeout_s, window=200, on_progress=None):
    """Pings every console, `window` connections open at a time.

    Returns one entry per path, in order: {"ms": connect to pong} or {"error": text}.
    """
    results = [None] * len(paths)
    selector = selectors.DefaultSelector()
    pending = list(enumerate(paths))
    pending.reverse()
    open_count = 0
    answered = 0
    deadline = time.monotonic() + timeout_s

    def finish(index, sock, result):
        nonlocal open_count, answered
        selector.unregister(sock)
        sock.close()
        open_count -= 1
        results[index] = result
        answered += "ms" in result
        if on_progress:
            on_progress(answered, len(paths))

    while pending or open_count:
        while pending and open_count < window:
            index, path = pending.pop()
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            t0 = time.perf_counter_ns()
            try:
                sock.connect(path)
                sock.sendall(b"ping\n")
            except OSError as error:
                sock.close()
                results[index] = {"error": f"{path}: {error}"}
                continue
            sock.setblocking(False)
            selector.register(sock, selectors.EVENT_READ, [index, t0, b""])
            open_count += 1
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            for key in list(selector.get_map().values()):
                finish(key.data[0], key.fileobj, {"error": f"no `pong` within {timeout_s:g} s"})
            break
        for key, _ in selector.select(min(remaining, 1.0)):
            index, t0, buffer = key.data
            try:
                chunk = key.fileobj.recv(4096)
            except BlockingIOError:
                continue
            except OSError as error:
                finish(index, key.fileobj, {"error": str(error)})
                continue
            if not chunk:
                finish(index, key.fileobj, {"error": "the console closed before `pong`"})
                continue
            key.data[2] = buffer + chunk
            if PONG.search(key.data[2]):
                finish(index, key.fileobj, {"ms": (time.perf_counter_ns() - t0) / 1e6})
    selector.close()
    for index, result in enumerate(results):
        if result is None:
            results[index] = {"error": "not tried"}
    return results


def raise_fd_limit():
    """Soft RLIMIT_NOFILE up to the hard one (a thousand consoles at once)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return max(soft, hard)

