#!/usr/bin/env python3
"""mimeo against QEMU's VM templating, side by side, on one machine in one run.

Three systems on the test guest with 256 MiB (benchlib/systems.py): QEMU 7.2
through QMP as the templating document describes, mimeo through the same QMP
steps, and `mimeo template create` / `mimeo clone`. Scenarios:
  1. template creation: time and size of the saved state;
  2. clone latency: process spawn to the guest's `pong` on its console;
  3. memory per running clone (smaps_rollup) with 1, 10 and 100 clones;
  4. density: K clones started at once, time until all have answered;
  5. churn: clones created and destroyed per second; tear-down cost;
  6. private memory growth after the guest dirties W MiB.
Every scenario interleaves the systems (shuffled order per round) so that a
noisy machine's load falls on all of them. Writes a Markdown table, the raw
JSON and gnuplot PNGs. Python 3 standard library only. See docs/benchmarks.md.
"""

import argparse
import json
import os
import random
import re
import resource
import shutil
import signal
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from benchlib import clones, machine, smaps, stats, systems  # noqa: E402
from benchlib import templating_report as report  # noqa: E402
from benchlib.progress import Status  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DIRTIED = re.compile(rb"^dirtied \d+ MiB\r?\n", re.MULTILINE)
SETTLE_S = 0.5  # before memory samples
QUICK = {"templates": 2, "clones": 5, "memory_counts": "1,10", "density": "10",
         "churn_seconds": 3.0, "dirty": "1,4,16"}
FULL = {"templates": 5, "clones": 100, "memory_counts": "1,10,100", "density": "100,1000",
        "churn_seconds": 30.0, "dirty": "1,4,16"}


def int_list(text):
    return [int(x) for x in text.split(",") if x.strip()]


def parse_args():
    build = os.path.join(REPO, "build")
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="few runs of everything (CI smoke "
                        "check): " + ", ".join(f"{k}={v}" for k, v in QUICK.items()))
    parser.add_argument("--templates", type=int, help="templates created per system (default 5)")
    parser.add_argument("--clones", type=int, help="clones for the latency figure (default 100)")
    parser.add_argument("--memory-counts", help="running clones for the memory figure "
                        "(default 1,10,100)")
    parser.add_argument("--density", help="clones started at once (default 100,1000; a count "
                        "is skipped for a system if it would not fit in MemAvailable)")
    parser.add_argument("--churn-seconds", type=float, help="seconds of churn per system "
                        "(default 30)")
    parser.add_argument("--dirty", help="MiB the guest dirties (default 1,4,16)")
    parser.add_argument("--system", action="append", choices=[s.key for s in systems.SYSTEMS],
                        help="run only this system (repeatable)")
    parser.add_argument("--mimeo", default=os.path.join(build, "mimeo"))
    parser.add_argument("--guest", default=os.path.join(build, "guest", "guest.elf"))
    parser.add_argument("--qemu", default="qemu-system-x86_64")
    parser.add_argument("--work-dir", default=None, help="where templates and sockets go "
                        "(default: a new directory in the system's temporary directory)")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds one clone may take")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--out-dir", default=os.path.join(REPO, "bench", "results"))
    parser.add_argument("--img-dir", default=os.path.join(REPO, "docs", "img"))
    parser.add_argument("--no-plot", action="store_true")
    parser.add_argument("--gnuplot", default="gnuplot")
    parser.add_argument("--docs", default=None, metavar="FILE", help="also replace the "
                        "<!-- templating-results:begin/end --> block of FILE")
    parser.add_argument("--from-json", metavar="FILE", help="run nothing: redraw from a JSON")
    args = parser.parse_args()
    defaults = QUICK if args.quick else FULL
    for key, value in defaults.items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    args.memory_counts = int_list(args.memory_counts)
    args.density = int_list(args.density)
    args.dirty = int_list(args.dirty)
    return args


def ms(ns):
    return ns / 1e6


def start_and_wait(driver, system, timeout_s):
    clone = system.new_clone(driver)
    clone.start()
    driver.run_until(lambda: clone.ready, timeout_s, f"a {system.label} clone")
    if clone.error:
        detail = clone.tail()
        clone.close()
        raise clones.CloneError(f"{system.label}: {clone.error}; {detail}")
    return clone


def tear_down(driver, group, how, timeout_s):
    for clone in group:
        clone.stop(how)
    try:
        driver.run_until(lambda: all(c.reaped for c in group), timeout_s, "clones to exit")
    finally:
        for clone in group:
            clone.close()
    return [ms(c.marks["reaped"] - c.marks["teardown_sent"]) for c in group]


def shuffled(rng, items):
    order = list(items)
    rng.shuffle(order)
    return order


def scenario_templates(chosen, args, rng, status):
    results = {s.key: [] for s in chosen}
    for index in range(args.templates):
        for system in shuffled(rng, chosen):
            status.show(f"[1/6] templates: {system.label} {index + 1}/{args.templates}")
            results[system.key].append(system.make_template(index, args.timeout))
    status.show(f"[1/6] templates: {args.templates} per system created", final=True)
    return results


def scenario_latency(chosen, args, rng, status, driver):
    results = {s.key: {"pong_ms": [], "restored_ms": [], "exit_ms": []} for s in chosen}
    for index in range(args.clones):
        for system in shuffled(rng, chosen):
            clone = start_and_wait(driver, system, args.timeout)
            entry = results[system.key]
            entry["pong_ms"].append(ms(clone.marks["pong"]))
            if "restored" in clone.marks:
                entry["restored_ms"].append(ms(clone.marks["restored"]))
            entry["exit_ms"] += tear_down(driver, [clone], "exit", args.timeout)
        p50s = ", ".join(f"{s.label} {stats.nearest_rank(sorted(results[s.key]['pong_ms']), 50):.1f}"
                         for s in chosen)
        status.show(f"[2/6] clone latency {index + 1}/{args.clones}: p50 ms {p50s}",
                    final=index + 1 == args.clones)
    return results


def settle(driver, seconds):
    """Lets the VMMs finish what follows start-up (QEMU frees memory after an incoming
    migration) before memory is sampled; their consoles are still served."""
    deadline = time.monotonic() + seconds
    driver.after(seconds, lambda: None)  # wakes the loop at the deadline
    driver.run_until(lambda: time.monotonic() >= deadline, seconds + 1, "settling")


def fits(count, per_clone_mib):
    """Whether count clones of per_clone_mib (RSS) leave 30% of MemAvailable."""
    return count * per_clone_mib < 0.7 * smaps.mem_available_mib()


def scenario_memory(chosen, args, rng, status, driver):
    results = {s.key: [] for s in chosen}
    rss_estimate = {s.key: 64.0 for s in chosen}
    for count in args.memory_counts:
        for system in shuffled(rng, chosen):
            if not fits(count, rss_estimate[system.key]):
                results[system.key].append({"clones": count, "skipped": "MemAvailable"})
                continue
            group = []
            try:
                for index in range(count):
                    status.show(f"[3/6] memory: {system.label}, starting clone "
                                f"{index + 1}/{count}")
                    group.append(start_and_wait(driver, system, args.timeout))
                settle(driver, SETTLE_S)
                samples = [smaps.rollup(c.proc.pid) for c in group]
            finally:
                tear_down(driver, group, "sigterm", args.timeout)
            mean = {k: sum(s[k] for s in samples) / count for k in samples[0]}
            rss_estimate[system.key] = max(mean["rss"], 1.0)
            results[system.key].append({"clones": count, "per_clone_mib": mean,
                                        "samples": samples})
            status.show(f"[3/6] memory: {system.label} x{count}: PSS {mean['pss']:.1f} MiB, "
                        f"private {mean['private']:.1f} MiB per clone", final=True)
    return results


def scenario_density(chosen, args, rng, status, driver, memory):
    results = {s.key: [] for s in chosen}
    for count in args.density:
        for system in shuffled(rng, chosen):
            measured = [m for m in memory.get(system.key, []) if "per_clone_mib" in m]
            rss = measured[-1]["per_clone_mib"]["rss"] if measured else 64.0
            if system.key == "qemu" and count > 100 or not fits(count, rss):
                reason = "QEMU is measured up to 100" if system.key == "qemu" and count > 100 \
                    else f"{count} x {rss:.0f} MiB RSS would not fit in MemAvailable"
                results[system.key].append({"clones": count, "skipped": reason})
                status.show(f"[4/6] density: {system.label} x{count} skipped: {reason}",
                            final=True)
                continue
            group = []
            try:
                t0 = time.perf_counter_ns()
                for index in range(count):
                    clone = system.new_clone(driver)
                    clone.start()
                    group.append(clone)
                    if index % 16 == 0:  # serve early clones while spawning the rest
                        driver.run_until(lambda: True, 0, "")
                spawned = time.perf_counter_ns()
                driver.run_until(
                    lambda: not status.show(
                        f"[4/6] density: {system.label} x{count}: "
                        f"{sum('pong' in c.marks for c in group)} answered")
                    and all(c.ready for c in group),
                    args.timeout + count * 0.5, f"{count} {system.label} clones")
                failed = [c for c in group if c.error]
                if failed:
                    raise clones.CloneError(f"{system.label}: {len(failed)} of {count} clones "
                                            f"failed: {failed[0].error}; {failed[0].tail()}")
                done = max(c.t0 + c.marks["pong"] for c in group)
                entry = {"clones": count, "all_answered_ms": ms(done - t0),
                         "spawn_all_ms": ms(spawned - t0),
                         "pong_ms": [ms(c.marks["pong"]) for c in group],
                         "since_first_spawn_ms": [ms(c.t0 + c.marks["pong"] - t0)
                                                  for c in group]}
            finally:
                tear_down(driver, group, "sigterm", args.timeout + count * 0.2)
            results[system.key].append(entry)
            status.show(f"[4/6] density: {system.label} x{count}: all answered after "
                        f"{entry['all_answered_ms']:.0f} ms", final=True)
    return results


def scenario_churn(chosen, args, rng, status, driver):
    results = {s.key: {"seconds": 0.0, "cycles": 0, "exit_ms": [], "sigterm_ms": []}
               for s in chosen}
    slice_s = min(1.0, args.churn_seconds)
    while any(r["seconds"] < args.churn_seconds for r in results.values()):
        for system in shuffled(rng, chosen):
            entry = results[system.key]
            if entry["seconds"] >= args.churn_seconds:
                continue
            start = time.monotonic()
            while time.monotonic() - start < slice_s:
                how = "exit" if entry["cycles"] % 2 == 0 else "sigterm"
                clone = start_and_wait(driver, system, args.timeout)
                entry[f"{how}_ms"] += tear_down(driver, [clone], how, args.timeout)
                entry["cycles"] += 1
            entry["seconds"] += time.monotonic() - start
            rates = ", ".join(f"{s.label} {results[s.key]['cycles'] / max(results[s.key]['seconds'], 1e-9):.1f}"
                              for s in chosen)
            status.show(f"[5/6] churn: clones/s {rates}")
    for entry in results.values():
        entry["per_second"] = entry["cycles"] / entry["seconds"]
    status.show("[5/6] churn: " + ", ".join(
        f"{s.label} {results[s.key]['per_second']:.1f}/s" for s in chosen), final=True)
    return results


def scenario_dirty(chosen, args, rng, status, driver):
    results = {s.key: [] for s in chosen}
    for mib in args.dirty:
        for system in shuffled(rng, chosen):
            status.show(f"[6/6] dirty: {system.label}, {mib} MiB")
            clone = start_and_wait(driver, system, args.timeout)
            try:
                settle(driver, SETTLE_S)
                before = smaps.rollup(clone.proc.pid)
                clone.command(f"dirty {mib} 7\n", DIRTIED, "dirtied", args.timeout + mib * 2)
                after = smaps.rollup(clone.proc.pid)
            finally:
                tear_down(driver, [clone], "sigterm", args.timeout)
            results[system.key].append({
                "mib": mib, "before": before, "after": after,
                "private_growth_mib": after["private"] - before["private"],
                "anonymous_growth_mib": after["anonymous"] - before["anonymous"]})
    status.show("[6/6] dirty: " + ", ".join(
        f"{s.label} " + "/".join(f"{r['private_growth_mib']:.1f}" for r in results[s.key])
        for s in chosen) + f" MiB private growth for W = {args.dirty}", final=True)
    return results


def check_paths(args):
    for option, path in (("--mimeo", args.mimeo), ("--guest", args.guest)):
        if not os.path.isfile(path):
            sys.exit(f"templating.py: {option} {path}: no such file (build first: bench/run)")
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        sys.exit("templating.py: /dev/kvm: not accessible (KVM is required)")
    qemu = shutil.which(args.qemu)
    chosen = args.system or [s.key for s in systems.SYSTEMS]
    if "qemu" in chosen and qemu is None:
        sys.exit(f"templating.py: --qemu {args.qemu}: not found (install qemu-system-x86 or "
                 "pass --system mimeo-qmp --system mimeo-clone)")
    if not args.no_plot and shutil.which(args.gnuplot) is None:
        sys.exit(f"templating.py: --gnuplot {args.gnuplot}: not found (install gnuplot-nox "
                 "or pass --no-plot)")
    return argparse.Namespace(mimeo=os.path.abspath(args.mimeo),
                              guest=os.path.abspath(args.guest), qemu=qemu), chosen


def raise_fd_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def measure(args):
    paths, chosen_keys = check_paths(args)
    raise_fd_limit()
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1 << 32)
    rng = random.Random(seed)
    work = tempfile.mkdtemp(prefix="mimeo-templating-", dir=args.work_dir)
    chosen = [cls(paths, work) for cls in systems.SYSTEMS if cls.key in chosen_keys]
    status = Status(every=float("inf"))  # in a log: final lines only
    driver = clones.Driver()
    facts = machine.collect(paths.mimeo, REPO, paths.qemu, work)
    facts["mem_available_mib_before"] = round(smaps.mem_available_mib())
    load = machine.BackgroundLoad()
    load.start()
    document = {"benchmark": "templating", "machine": facts, "seed": seed,
                "settings": {k: getattr(args, k) for k in ("templates", "clones", "memory_counts",
                                                           "density", "churn_seconds", "dirty",
                                                           "timeout")},
                "systems": [{"key": s.key, "label": s.label} for s in chosen]}
    try:
        document["templates"] = scenario_templates(chosen, args, rng, status)
        document["clone_argv"] = {s.key: s.clone_argv_for_docs() for s in chosen}
        document["latency"] = scenario_latency(chosen, args, rng, status, driver)
        document["memory"] = scenario_memory(chosen, args, rng, status, driver)
        document["density"] = scenario_density(chosen, args, rng, status, driver,
                                               document["memory"])
        document["churn"] = scenario_churn(chosen, args, rng, status, driver)
        document["dirty"] = scenario_dirty(chosen, args, rng, status, driver)
    finally:
        facts["cpu_busy_during_run"] = load.stop()
        facts["load_average_after"] = list(os.getloadavg())
        for system in chosen:
            if hasattr(system, "cleanup"):
                system.cleanup()
        shutil.rmtree(work, ignore_errors=True)
    return document


def main():
    args = parse_args()
    if args.from_json:
        with open(args.from_json, encoding="utf-8") as file:
            document = json.load(file)
    else:
        signal.signal(signal.SIGTERM, lambda *_: sys.exit("templating.py: terminated"))
        document = measure(args)
        os.makedirs(args.out_dir, exist_ok=True)
        with open(os.path.join(args.out_dir, "templating.json"), "w", encoding="utf-8") as file:
            json.dump(document, file, indent=1)
            file.write("\n")
    markdown = report.markdown(document)
    os.makedirs(args.out_dir, exist_ok=True)
    with open(os.path.join(args.out_dir, "templating.md"), "w", encoding="utf-8") as file:
        file.write("# mimeo and QEMU VM templating (bench/templating.py)\n\n" + markdown)
    print(markdown)
    if args.docs:
        from benchlib import report as startup_report
        startup_report.replace_block(args.docs, "templating-results", markdown)
    if not args.no_plot:
        try:
            report.plots(document, args.img_dir, args.gnuplot)
        except (RuntimeError, ValueError) as error:
            sys.exit(f"templating.py: plot: {error}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
