"""Memory of a process tree from /proc/PID/smaps_rollup (kB fields, reported in MiB),
of one process from /proc/PID/smaps with the guest's written pages apart, and
system-wide figures from /proc/meminfo."""

import os

FIELDS = ("Rss", "Pss", "Private_Clean", "Private_Dirty", "Anonymous")


def descendants(pid):
    """pid and every live descendant (through /proc/PID/task/TID/children)."""
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        try:
            tasks = os.listdir(f"/proc/{current}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{current}/task/{task}/children", encoding="ascii") as file:
                    queue.extend(int(child) for child in file.read().split())
            except OSError:
                pass
    return found


def rollup(pid):
    """{rss, pss, private, anonymous} in MiB, summed over pid and its descendants.

    private = Private_Clean + Private_Dirty (pages mapped by this tree only).
    """
    kb = dict.fromkeys(FIELDS, 0)
    for member in descendants(pid):
        try:
            with open(f"/proc/{member}/smaps_rollup", encoding="ascii") as file:
                for line in file:
                    key, _, rest = line.partition(":")
                    if key in kb:
                        kb[key] += int(rest.split()[0])
        except OSError:
            continue
    return {"rss": kb["Rss"] / 1024, "pss": kb["Pss"] / 1024,
            "private": (kb["Private_Clean"] + kb["Private_Dirty"]) / 1024,
            "anonymous": kb["Anonymous"] / 1024}


def mem_available_mib():
    with open("/proc/meminfo", encoding="ascii") as file:
        for line in file:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) / 1024
    return 0.0


def split_guest(pid, guest_dir):
    """One process's memory in KiB from /proc/PID/smaps, the guest's own writes apart.

    guest_written is the Anonymous memory inside mappings of files under
    guest_dir (the template's RAM files, mapped copy-on-write: a page there is
    anonymous only once the guest wrote it), as src/cli/process_memory.cc
    counts it; beyond_guest = private - guest_written is what the process
    itself keeps private. guest_clean is the template's RAM file's clean
    pages that only this process maps (page cache, counted in private by the
    kernel while no other process maps them). largest_private names the mapping (path, or
    [anon]) with the most private memory, to explain an outlier: a file's
    clean pages count as private while only this process maps them. Returns
    None if the process is gone.
    """
    prefix = os.path.join(os.path.realpath(guest_dir), "")
    kib = {"rss": 0, "pss": 0, "private": 0, "anonymous": 0, "guest_written": 0,
           "guest_clean": 0}
    in_guest = False
    path = ""
    by_path = {}
    try:
        with open(f"/proc/{pid}/smaps", encoding="utf-8", errors="replace") as file:
            for line in file:
                first, _, rest = line.partition(" ")
                if not first.endswith(":"):
                    # A mapping's header: "start-end perms offset dev inode [path]".
                    fields = rest.split(None, 4)
                    path = fields[4].strip() if len(fields) == 5 else ""
                    in_guest = path.startswith(prefix)
                    continue
                if first == "Rss:":
                    kib["rss"] += int(rest.split()[0])
                elif first == "Pss:":
                    kib["pss"] += int(rest.split()[0])
                elif first in ("Private_Clean:", "Private_Dirty:"):
                    value = int(rest.split()[0])
                    kib["private"] += value
                    by_path[path or "[anon]"] = by_path.get(path or "[anon]", 0) + value
                    if in_guest and first == "Private_Clean:":
                        kib["guest_clean"] += value
                elif first == "Anonymous:":
                    value = int(rest.split()[0])
                    kib["anonymous"] += value
                    if in_guest:
                        kib["guest_written"] += value
    except (FileNotFoundError, ProcessLookupError):
        return None
    kib["beyond_guest"] = kib["private"] - kib["guest_written"]
    if by_path:
        name, value = max(by_path.items(), key=lambda item: item[1])
        kib["largest_private"] = {"mapping": name, "kib": value}
    return kib


def meminfo_kib(fields=("MemAvailable", "Slab", "PageTables", "KernelStack", "SecPageTables")):
    """Selected /proc/meminfo fields in KiB (absent ones left out)."""
    found = {}
    with open("/proc/meminfo", encoding="ascii") as file:
        for line in file:
            key, _, rest = line.partition(":")
            if key in fields:
                found[key] = int(rest.split()[0])
    return found


def slab_kib():
    """{cache: KiB} from /proc/slabinfo (num_slabs x pages per slab; root only), {} if unreadable."""
    caches = {}
    page_kib = os.sysconf("SC_PAGE_SIZE") // 1024
    try:
        with open("/proc/slabinfo", encoding="ascii") as file:
            for line in file:
                if line.startswith(("slabinfo", "#")):
                    continue
                fields = line.split()
                # name active_objs num_objs objsize objperslab pagesperslab : tunables ... :
                # slabdata active_slabs num_slabs sharedavail
                caches[fields[0]] = int(fields[14]) * int(fields[5]) * page_kib
    except (OSError, IndexError, ValueError):
        return {}
    return caches
