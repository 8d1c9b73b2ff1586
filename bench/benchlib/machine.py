"""Facts about the machine and the software a benchmark ran on."""

import datetime
import os
import platform
import subprocess


def _first_line(argv):
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"unknown ({error})"
    if done.returncode != 0:
        return f"unknown ({argv[0]} exited with status {done.returncode})"
    lines = done.stdout.strip().splitlines()
    return lines[0] if lines else ""


def cpu_model():
    """`model name` of the first CPU in /proc/cpuinfo, and how many CPUs there are."""
    model, count = "unknown", 0
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                key, _, value = line.partition(":")
                key = key.strip()
                if key == "processor":
                    count += 1
                elif key == "model name" and model == "unknown":
                    model = value.strip()
    except OSError:
        pass
    return model, count


def kvm_modules():
    """Loaded KVM modules (kvm_intel, kvm_amd; kvm_pvm on the nested dev machines)."""
    try:
        return sorted(name for name in os.listdir("/sys/module") if name.startswith("kvm"))
    except OSError:
        return []


def filesystem_of(path):
    """(mount point, type) of the file system holding path, from /proc/mounts."""
    path = os.path.realpath(path)
    best, best_length = ("?", "?"), -1
    try:
        with open("/proc/mounts", encoding="utf-8") as mounts:
            for line in mounts:
                fields = line.split()
                mount_point, fs_type = fields[1], fields[2]
                inside = path == mount_point or path.startswith(mount_point.rstrip("/") + "/")
                if inside and len(mount_point) > best_length:
                    best, best_length = (mount_point, fs_type), len(mount_point)
    except OSError:
        pass
    return best


def git_facts(repo):
    """HEAD of the mimeo repository and whether its sources have uncommitted changes."""
    commit = _first_line(["git", "-C", repo, "rev-parse", "HEAD"])
    status = subprocess.run(
        ["git", "-C", repo, "status", "--porcelain", "--", "src", "guest", "CMakeLists.txt"],
        capture_output=True, text=True, check=False)
    return {
        "commit": commit,
        "sources_modified": bool(status.stdout.strip()) if status.returncode == 0 else None,
    }


class BackgroundLoad:
    """How busy other processes kept the CPUs between start() and stop().

    Busy time of all CPUs from /proc/stat, minus the CPU time of this process
    and its reaped children (the VMMs measured), over the CPUs' total time.
    """

    def __init__(self):
        self._start = None

    @staticmethod
    def _sample():
        with open("/proc/stat", encoding="utf-8") as stat:
            ticks = [int(x) for x in stat.readline().split()[1:9]]
        own = os.times()
        hz = os.sysconf("SC_CLK_TCK")
        idle = ticks[3] + ticks[4]  # idle, iowait
        return sum(ticks) / hz, (sum(ticks) - idle) / hz, own.user + own.system + \
            own.children_user + own.children_system

    def start(self):
        self._start = self._sample()

    def stop(self):
        """{busy_other_percent, busy_benchmark_percent} of all CPUs' time."""
        total, busy, own = (b - a for a, b in zip(self._start, self._sample()))
        if total <= 0:
            return {}
        return {"other_percent": round(100 * max(busy - own, 0) / total, 1),
                "benchmark_percent": round(100 * own / total, 1)}


def cmake_cache(build_dir):
    """The entries of build_dir/CMakeCache.txt ({} if there is none)."""
    entries = {}
    try:
        with open(os.path.join(build_dir, "CMakeCache.txt"), encoding="utf-8") as cache:
            for line in cache:
                key, sep, value = line.rstrip("\n").partition("=")
                if sep and not line.startswith(("#", "//")):
                    entries[key.split(":")[0]] = value
    except OSError:
        pass
    return entries


def mimeo_build(binary, default_source):
    """Which sources and build type the mimeo binary was built from.

    The source directory is taken from the CMake cache beside the binary, so
    that a build of another checkout reports that checkout's commit.
    """
    cache = cmake_cache(os.path.dirname(os.path.abspath(binary)))
    source = cache.get("CMAKE_HOME_DIRECTORY", default_source)
    return {"binary": binary, "source_dir": source,
            "build_type": cache.get("CMAKE_BUILD_TYPE", "unknown"), **git_facts(source)}


def collect(mimeo, default_source, qemu, mem_dir):
    """Everything a reader needs to compare two result files."""
    model, cpus = cpu_model()
    mount_point, fs_type = filesystem_of(mem_dir)
    uname = os.uname()
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "cpu_model": model,
        "cpus": cpus,
        "kernel": uname.release,
        "kernel_build": uname.version,
        "kvm_modules": kvm_modules(),
        "mimeo": mimeo_build(mimeo, default_source),
        "qemu_version": _first_line([qemu, "--version"]) if qemu else None,
        "python": platform.python_version(),
        "load_average": list(os.getloadavg()),
        "mem_dir": {"path": mem_dir, "mount_point": mount_point, "type": fs_type},
    }
