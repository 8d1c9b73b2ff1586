"""Memory of a process tree from /proc/PID/smaps_rollup (kB fields, reported in MiB)."""

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
