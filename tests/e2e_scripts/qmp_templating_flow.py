#!/usr/bin/env python3
"""The templating document's flow driven through `mimeo run` and QMP, as
QEMU tooling (Kata's VM factory, scripts) would: a template with share=on RAM
is stopped and migrated with x-ignore-shared; clones map the RAM file
readonly=on,rom=off, arrive paused through -incoming (defer + migrate-incoming,
and a URI on the command line) and run on `cont`.

Usage: qmp_templating_flow.py MIMEO GUEST_ELF. Exit 77 without /dev/kvm."""
import hashlib
import json
import os
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import time

MIMEO, GUEST = sys.argv[1], sys.argv[2]
TIMEOUT = 60


def fail(message):
    print("FAIL:", message)
    sys.exit(1)


class Qmp:
    def __init__(self, path):
        deadline = time.time() + TIMEOUT
        self.sock = socket.socket(socket.AF_UNIX)
        while True:
            try:
                self.sock.connect(path)
                break
            except OSError:
                if time.time() > deadline:
                    fail("no QMP socket at " + path)
                time.sleep(0.01)
        self.sock.settimeout(TIMEOUT)
        self.file = self.sock.makefile("rw")
        self.greeting = json.loads(self.file.readline())
        self.events = []

    def cmd(self, name, **arguments):
        message = {"execute": name}
        if arguments:
            message["arguments"] = arguments
        self.file.write(json.dumps(message) + "\n")
        self.file.flush()
        while True:
            reply = json.loads(self.file.readline())
            if "event" in reply:
                self.events.append(reply["event"])
                continue
            return reply


class Vm:
    def __init__(self, args):
        self.proc = subprocess.Popen([MIMEO, "run"] + args, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def line(self):
        ready, _, _ = select.select([self.proc.stdout], [], [], TIMEOUT)
        if not ready:
            fail("no console line within %d s" % TIMEOUT)
        return self.proc.stdout.readline().decode().rstrip("\n")

    def ask(self, command):
        self.proc.stdin.write((command + "\n").encode())
        self.proc.stdin.flush()
        return self.line()

    def wait(self):
        try:
            return self.proc.wait(TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            fail("mimeo did not exit")


def expect(actual, wanted, what):
    if actual != wanted:
        fail("%s: got %r, wanted %r" % (what, actual, wanted))


def main():
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        print("SKIP: /dev/kvm is not available")
        return 77
    work = tempfile.mkdtemp(prefix="mimeo-qmp-flow-")
    try:
        ram, state = work + "/template", work + "/state"
        common = ["-m", "64M", "-machine", "microvm,memory-backend=pc.ram",
                  "-device", "isa-debug-exit,iobase=0xf4,iosize=1"]
        template = Vm(common + ["-object", "memory-backend-file,id=pc.ram,size=64M,mem-path=%s,share=on" % ram,
                                "-kernel", GUEST, "-qmp", "unix:%s/t.sock,server=on,wait=off" % work])
        expect(template.line(), "mimeo-guest ready", "template boot")
        expect(template.ask("write 0x3000000 0xabc"), "ok", "template write")
        qmp = Qmp(work + "/t.sock")
        expect(qmp.greeting["QMP"]["version"]["qemu"]["major"], 7, "greeting")
        expect(qmp.cmd("qmp_capabilities"), {"return": {}}, "qmp_capabilities")
        expect(qmp.cmd("stop"), {"return": {}}, "stop")
        expect(qmp.cmd("query-status")["return"]["status"], "paused", "template status")
        expect(qmp.cmd("migrate-set-capabilities",
                       capabilities=[{"capability": "x-ignore-shared", "state": True}]),
               {"return": {}}, "x-ignore-shared")
        expect(qmp.cmd("migrate", uri="file:" + state), {"return": {}}, "migrate")
        migration = qmp.cmd("query-migrate")["return"]
        expect(migration["status"], "completed", "query-migrate")
        expect(migration["ram"]["total"], 0, "RAM left in the shared file")
        expect(qmp.cmd("query-status")["return"]["status"], "postmigrate", "after migrate")
        expect(qmp.cmd("quit"), {"return": {}}, "quit")
        expect(template.wait(), 0, "template exit status")
        os.chmod(ram, 0o444)
        with open(ram, "rb") as f:
            ram_hash = hashlib.sha256(f.read()).hexdigest()

        clone_ram = ["-object", "memory-backend-file,id=pc.ram,size=64M,mem-path=%s,readonly=on,rom=off" % ram]
        # 1. -incoming defer, then migrate-incoming over QMP, then cont.
        clone = Vm(common + clone_ram + ["-incoming", "defer", "-qmp", "unix:%s/c1.sock,server=on,wait=off" % work])
        qmp = Qmp(work + "/c1.sock")
        qmp.cmd("qmp_capabilities")
        expect(qmp.cmd("query-status")["return"]["status"], "inmigrate", "clone before migrate-incoming")
        expect(qmp.cmd("migrate-incoming", uri="file:" + state), {"return": {}}, "migrate-incoming")
        expect(qmp.cmd("query-status")["return"], {"status": "paused", "singlestep": False, "running": False},
               "a clone of a stopped template arrives paused")
        expect(qmp.cmd("cont"), {"return": {}}, "cont")
        expect(clone.ask("read 0x3000000"), "0x0000000000000abc", "clone sees the template's memory")
        expect(clone.ask("write 0x3000000 0x1"), "ok", "clone writes")
        expect(clone.ask("read 0x3000000"), "0x0000000000000001", "clone reads its own write")
        expect(clone.ask("exit 0"), "exiting 0", "clone exit")
        expect(clone.wait(), 1, "clone exit status")
        # 2. -incoming file:STATE on the command line, cont over QMP.
        clone = Vm(common + clone_ram + ["-incoming", "file:" + state, "-qmp", "unix:%s/c2.sock,server=on,wait=off" % work])
        qmp = Qmp(work + "/c2.sock")
        qmp.cmd("qmp_capabilities")
        expect(qmp.cmd("query-status")["return"]["status"], "paused", "clone 2 status")
        qmp.cmd("cont")
        expect(clone.ask("read 0x3000000"), "0x0000000000000abc", "clone 2 sees the template's memory, not clone 1's")
        expect(qmp.cmd("quit"), {"return": {}}, "clone 2 quit")
        expect(clone.wait(), 0, "clone 2 exit status")
        with open(ram, "rb") as f:
            expect(hashlib.sha256(f.read()).hexdigest(), ram_hash, "template RAM file unchanged")

        # 3. `mimeo clone` of a `mimeo template create` template, held by -S until QMP's cont.
        tmpl = work + "/tmpl"
        created = subprocess.run([MIMEO, "template", "create", tmpl, "--quiet", "--ready-on-serial",
                                  "mimeo-guest ready", "--", "-m", "64M", "-kernel", GUEST,
                                  "-device", "isa-debug-exit,iobase=0xf4,iosize=1"],
                                 capture_output=True, timeout=TIMEOUT)
        expect(created.returncode, 0, "template create: " + created.stderr.decode())
        clone = subprocess.Popen([MIMEO, "clone", tmpl, "-S", "-qmp", "unix:%s/c3.sock,server=on,wait=off" % work],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        clone_vm = Vm.__new__(Vm)
        clone_vm.proc = clone
        qmp = Qmp(work + "/c3.sock")
        qmp.cmd("qmp_capabilities")
        expect(qmp.cmd("query-status")["return"]["running"], False, "clone -S waits for cont")
        expect(qmp.cmd("cont"), {"return": {}}, "clone cont")
        expect(qmp.cmd("query-status")["return"]["status"], "running", "clone runs after cont")
        expect(clone_vm.ask("ping"), "pong", "clone of a template answers")
        expect(qmp.cmd("quit"), {"return": {}}, "clone 3 quit")
        expect(clone_vm.wait(), 0, "clone 3 exit status")
        print("ok: template stopped and migrated with x-ignore-shared; clones restored through "
              "-incoming defer + migrate-incoming and -incoming file:, paused until cont")
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


sys.exit(main())
