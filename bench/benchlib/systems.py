"""The systems compared: how each makes a template and starts a clone.

- qemu: QEMU as the templating document describes, through QMP. Template RAM
  in memory-backend-file share=on; `stop`, x-ignore-shared, `migrate` to
  `exec:cat > STATE` (QEMU 7.2 has no `file:` migration URI). Clones map the
  same file share=off with `-incoming defer`, then x-ignore-shared and
  `migrate-incoming "exec:cat STATE"` (QEMU refuses a stream saved with
  x-ignore-shared unless the destination has it on too); QEMU 7.2 has no
  readonly=on,rom=off for memory-backend-file yet, so the file stays writable.
- mimeo-qmp: mimeo run driven the same way (QEMU 7.2-compatible QMP,
  docs/qmp.md), `migrate` to `file:STATE`; clones readonly=on,rom=off with
  `-incoming file:STATE`.
- mimeo-clone: `mimeo template create` and `mimeo clone` (the clone runs at once).
"""

import os
import re
import shutil
import subprocess
import time

from . import clones, qmp
from .console_run import READY

EXIT_DEVICE = "isa-debug-exit,iobase=0xf4,iosize=1"
SIZE = "256M"


def _machine(mem_object):
    return ["-m", SIZE, "-object", mem_object, "-machine", "microvm,memory-backend=pc.ram"]


def _wait_ready(proc, deadline):
    """Reads the template's console until the ready line; ns of its arrival since t0."""
    out = bytearray()
    while not READY.search(out):
        if time.monotonic() > deadline:
            raise clones.CloneError("the template did not print its ready line in time")
        chunk = proc.stdout.read1(65536) if hasattr(proc.stdout, "read1") else \
            os.read(proc.stdout.fileno(), 65536)
        if not chunk:
            raise clones.CloneError(f"the template exited before its ready line: {bytes(out)!r}")
        out.extend(chunk)
    return time.perf_counter_ns()


class System:
    key = ""
    label = ""

    def __init__(self, paths, work):
        self.paths = paths
        self.work = os.path.join(work, self.key)
        os.makedirs(self.work, exist_ok=True)
        self.template = None  # where the current template lives
        self.count = 0

    def next_socket(self):
        self.count += 1
        return os.path.join(self.work, f"c{self.count}.qmp")

    def new_clone(self, driver):
        raise NotImplementedError

    def make_template(self, index, timeout_s):
        """Creates template number index; {total_ms, ready_ms, save_ms, state_bytes, ...}."""
        raise NotImplementedError

    def clone_argv_for_docs(self):
        clone = self.new_clone(clones.Driver())
        return [a.replace(self.work, "WORK") for a in clone.argv]


class QmpSystem(System):
    """Template and clones through QMP, the templating document's steps."""

    def template_argv(self, ram, sock):
        raise NotImplementedError

    def migrate_uri(self, state):
        raise NotImplementedError

    def make_template(self, index, timeout_s):
        directory = os.path.join(self.work, f"template{index}")
        shutil.rmtree(directory, ignore_errors=True)
        os.makedirs(directory)
        ram, state, sock = (os.path.join(directory, name) for name in ("pc.ram", "state", "qmp"))
        deadline = time.monotonic() + timeout_s
        t0 = time.perf_counter_ns()
        proc = subprocess.Popen(self.template_argv(ram, sock), stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            ready = _wait_ready(proc, deadline)
            client = qmp.QmpClient(sock, timeout_s)
            save_start = time.perf_counter_ns()
            client.execute("stop")
            client.execute("migrate-set-capabilities", {"capabilities": [
                {"capability": "x-ignore-shared", "state": True}]})
            client.execute("migrate", {"uri": self.migrate_uri(state)})
            client.wait_migration()
            saved = time.perf_counter_ns()
            client.execute("quit")
            client.close()
            proc.wait(max(deadline - time.monotonic(), 0.1))
            done = time.perf_counter_ns()
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            for pipe in (proc.stdin, proc.stdout, proc.stderr):
                pipe.close()
        self.template = directory
        return {"total_ms": (saved - t0) / 1e6, "ready_ms": (ready - t0) / 1e6,
                "save_ms": (saved - save_start) / 1e6, "quit_ms": (done - saved) / 1e6,
                "state_bytes": os.path.getsize(state),
                "ram_file_allocated_bytes": os.stat(ram).st_blocks * 512}


class Qemu(QmpSystem):
    key = "qemu"
    label = "QEMU (QMP)"

    def _argv(self, mem_object, sock):
        return [self.paths.qemu, "-accel", "kvm", "-nographic", "-serial", "stdio",
                "-no-reboot", *_machine(mem_object), "-kernel", self.paths.guest,
                "-device", EXIT_DEVICE, "-qmp", f"unix:{sock},server=on,wait=off"]

    def template_argv(self, ram, sock):
        return self._argv(f"memory-backend-file,id=pc.ram,size={SIZE},mem-path={ram},share=on",
                          sock)

    def migrate_uri(self, state):
        return f"exec:cat > {state}"

    def new_clone(self, driver):
        ram = os.path.join(self.template, "pc.ram")
        state = os.path.join(self.template, "state")
        sock = self.next_socket()
        # QEMU 7.2: no readonly=on,rom=off for memory-backend-file; share=off alone.
        argv = self._argv(f"memory-backend-file,id=pc.ram,size={SIZE},mem-path={ram},share=off",
                          sock) + ["-incoming", "defer"]
        # QEMU checks that the destination has x-ignore-shared too, so the
        # capability must be set before the stream is read: -incoming defer.
        setup = [("migrate-set-capabilities", {"capabilities": [
                     {"capability": "x-ignore-shared", "state": True}]}),
                 ("migrate-incoming", {"uri": f"exec:cat {state}"})]
        return clones.Clone(driver, argv, qmp_path=sock, name=self.label, setup=setup)


class MimeoQmp(QmpSystem):
    key = "mimeo-qmp"
    label = "mimeo (QMP)"

    def _argv(self, mem_object, sock):
        return [self.paths.mimeo, "run", *_machine(mem_object), "-kernel", self.paths.guest,
                "-device", EXIT_DEVICE, "-qmp", f"unix:{sock},server=on,wait=off"]

    def template_argv(self, ram, sock):
        return self._argv(f"memory-backend-file,id=pc.ram,size={SIZE},mem-path={ram},share=on",
                          sock)

    def migrate_uri(self, state):
        return f"file:{state}"

    def new_clone(self, driver):
        ram = os.path.join(self.template, "pc.ram")
        state = os.path.join(self.template, "state")
        sock = self.next_socket()
        mem = f"memory-backend-file,id=pc.ram,size={SIZE},mem-path={ram},readonly=on,rom=off"
        argv = self._argv(mem, sock) + ["-incoming", f"file:{state}"]
        return clones.Clone(driver, argv, qmp_path=sock, name=self.label)


CREATED = re.compile(rb"state (\d+) bytes, (\d+) ms")


class MimeoClone(System):
    key = "mimeo-clone"
    label = "mimeo clone"

    def make_template(self, index, timeout_s):
        directory = os.path.join(self.work, f"template{index}")
        if os.path.exists(directory):
            subprocess.run(["chmod", "-R", "u+w", directory], check=False)
            shutil.rmtree(directory, ignore_errors=True)
        argv = [self.paths.mimeo, "template", "create", directory, "--ready-on-serial",
                "mimeo-guest ready", "--timeout", str(int(timeout_s)), "--", "-m", SIZE,
                "-kernel", self.paths.guest, "-device", EXIT_DEVICE]
        t0 = time.perf_counter_ns()
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        ready = _wait_ready(proc, time.monotonic() + timeout_s)
        out, err = proc.communicate(timeout=timeout_s)
        done = time.perf_counter_ns()
        if proc.returncode != 0:
            raise clones.CloneError(f"template create failed: {err.decode(errors='replace')}")
        match = CREATED.search(out + err)
        self.template = directory
        return {"total_ms": (done - t0) / 1e6, "ready_ms": (ready - t0) / 1e6,
                "save_ms": float(match.group(2)) if match else None,
                "state_bytes": os.path.getsize(os.path.join(directory, "state")),
                "ram_file_allocated_bytes": os.stat(os.path.join(directory, "pc.ram")).st_blocks
                * 512}

    def new_clone(self, driver):
        return clones.Clone(driver, [self.paths.mimeo, "clone", self.template], name=self.label)

    def cleanup(self):
        subprocess.run(["chmod", "-R", "u+w", self.work], check=False)


SYSTEMS = [Qemu, MimeoQmp, MimeoClone]
