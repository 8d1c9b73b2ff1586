#!/usr/bin/env python3
"""How long a VMM takes from being started to its guest's first console output.

Starts `mimeo run` (memory-backend-ram, -file with share=on, -memfd; 64 and
256 MiB) and QEMU (-M microvm -accel kvm, memory-backend-file share=on, 256
MiB) on mimeo's test guest, N times each, and measures from just before the
process is created to
  - the first byte on its stdout (the guest's COM1),
  - the `mimeo-guest ready` line,
  - the answer to `ping` (sent as soon as the ready line is in),
then sends `exit 0` and reaps the process (its wall time; the exit status must
be 1 = (0 << 1) | 1 from isa-debug-exit, anything else is a failed run).

Rounds run every configuration once, in a shuffled order, so that the noise of
a shared machine falls on all of them alike. Writes a Markdown table, the raw
JSON with facts about the machine, and a gnuplot PNG of the distributions.
Python 3 standard library only; gnuplot for the plot. See docs/benchmarks.md.
"""

import argparse
import dataclasses
import json
import os
import random
import re
import shutil
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from benchlib import console_run, machine, plot, progress, report, stats  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXIT_DEVICE = "isa-debug-exit,iobase=0xf4,iosize=1"
EXPECTED_STATUS = 1  # `exit 0`: isa-debug-exit makes the VMM exit with (0 << 1) | 1


@dataclasses.dataclass(frozen=True)
class Figure:
    key: str
    title: str
    description: str


FIGURES = [
    Figure("first_byte", "first console byte",
           "From just before the process is created to the read() that returned the first byte "
           "of its stdout, where the guest's COM1 is connected."),
    Figure("ready", "ready line",
           "To the read() that completed the guest's `mimeo-guest ready` line: the guest has "
           "set up its console, interrupts and timer and waits for commands."),
    Figure("pong", "ping answered",
           "`ping` is written to the process's stdin as soon as the ready line is in; to the "
           "read() that completed the guest's `pong`."),
    Figure("total", "process wall time",
           "`exit 0` is written after the `pong`; to the process having been reaped "
           "(waitpid), including the VMM's tear-down."),
    Figure("ping_rtt", "ping round trip",
           "From writing `ping` to reading `pong` (not since the start)."),
    Figure("exit", "exit to reaped",
           "From writing `exit 0` to the process having been reaped (not since the start)."),
]
FIGURE = {figure.key: figure for figure in FIGURES}
SUMMARY_FIGURES = [FIGURE[key] for key in ("first_byte", "ready", "pong", "total")]
PLOT_FIGURES = SUMMARY_FIGURES

BACKEND_COLOR = {"ram": "#1f5fa8", "file": "#2a9d3a", "memfd": "#e07b00"}
QEMU_COLOR = "#c0142b"


@dataclasses.dataclass(frozen=True)
class Config:
    key: str
    vmm: str  # "mimeo" or "qemu"
    backend: str  # "ram", "file" or "memfd"
    size_mib: int

    def memory_object(self, mem_file):
        spec = f"memory-backend-{self.backend},id=pc.ram,size={self.size_mib}M"
        if self.backend == "file":
            spec += f",mem-path={mem_file},share=on"
        return spec

    def argv(self, paths, mem_file):
        memory = ["-m", f"{self.size_mib}M", "-object", self.memory_object(mem_file),
                  "-machine", "microvm,memory-backend=pc.ram"]
        if self.vmm == "mimeo":
            return [paths.mimeo, "run", *memory, "-kernel", paths.guest, "-device", EXIT_DEVICE]
        return [paths.qemu, "-accel", "kvm", "-nographic", "-no-reboot", *memory,
                "-kernel", paths.guest, "-device", EXIT_DEVICE]

    def label(self, qemu_name):
        vmm = "mimeo" if self.vmm == "mimeo" else qemu_name
        return f"{vmm} {self.backend} {self.size_mib} MiB"

    def line_style(self):
        if self.vmm == "qemu":
            return {"color": QEMU_COLOR, "dash": 1, "width": 3}
        return {"color": BACKEND_COLOR[self.backend], "dash": 1 if self.size_mib < 256 else 2,
                "width": 2}


CONFIGS = [
    Config(f"mimeo-{backend}-{size}M", "mimeo", backend, size)
    for backend in ("ram", "file", "memfd") for size in (64, 256)
] + [Config("qemu-file-256M", "qemu", "file", 256)]


def parse_args():
    keys = ", ".join(config.key for config in CONFIGS)
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=f"configurations: {keys}")
    build = os.path.join(REPO, "build")
    parser.add_argument("--runs", type=int, default=50, help="measured runs per configuration "
                        "(default 50)")
    parser.add_argument("--warmup", type=int, default=1, help="unmeasured runs per configuration "
                        "before the first round (default 1)")
    parser.add_argument("--mimeo", default=os.path.join(build, "mimeo"), help="mimeo binary "
                        "(default build/mimeo)")
    parser.add_argument("--guest", default=os.path.join(build, "guest", "guest.elf"),
                        help="guest kernel (default build/guest/guest.elf)")
    parser.add_argument("--qemu", default="qemu-system-x86_64", help="QEMU binary")
    parser.add_argument("--no-qemu", action="store_true", help="leave out the QEMU configuration")
    parser.add_argument("--config", action="append", metavar="KEY",
                        help="run only this configuration (repeatable)")
    parser.add_argument("--mem-dir", default=None, help="where memory-backend-file files are "
                        "created, one per run (default: the system's temporary directory)")
    parser.add_argument("--timeout", type=float, default=20.0, help="seconds one run may take")
    parser.add_argument("--seed", type=int, default=None, help="seed of the round order")
    parser.add_argument("--out-dir", default=os.path.join(REPO, "bench", "results"),
                        help="where startup.md and startup.json go (default bench/results)")
    parser.add_argument("--plot", default=os.path.join(REPO, "docs", "img", "startup.png"),
                        help="PNG to draw (default docs/img/startup.png)")
    parser.add_argument("--no-plot", action="store_true", help="do not run gnuplot")
    parser.add_argument("--gnuplot", default="gnuplot", help="gnuplot binary")
    parser.add_argument("--docs", default=None, metavar="FILE", help="also replace the "
                        "<!-- startup-results:begin/end --> block of FILE with the tables")
    parser.add_argument("--from-json", metavar="FILE", help="run nothing: write the tables, "
                        "the plot and --docs from an earlier startup.json")
    args = parser.parse_args()
    if args.runs < 1 or args.warmup < 0:
        parser.error("--runs must be at least 1 and --warmup at least 0")
    return args


def select_configs(args):
    configs = [c for c in CONFIGS if not (args.no_qemu and c.vmm == "qemu")]
    if args.config:
        unknown = set(args.config) - {c.key for c in CONFIGS}
        if unknown:
            sys.exit(f"startup.py: unknown --config {', '.join(sorted(unknown))} "
                     f"(known: {', '.join(c.key for c in CONFIGS)})")
        configs = [c for c in configs if c.key in args.config]
    if not configs:
        sys.exit("startup.py: no configuration left to run")
    return configs


def check_paths(args, configs):
    """Resolves the binaries; exits with one line naming what is missing."""
    for option, path in (("--mimeo", args.mimeo), ("--guest", args.guest)):
        if not os.path.isfile(path):
            sys.exit(f"startup.py: {option} {path}: no such file (build first: bench/run)")
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        sys.exit("startup.py: /dev/kvm: not accessible (KVM is required)")
    qemu = None
    if any(c.vmm == "qemu" for c in configs):
        qemu = shutil.which(args.qemu)
        if qemu is None:
            sys.exit(f"startup.py: --qemu {args.qemu}: not found (install qemu-system-x86 "
                     "or pass --no-qemu)")
    if not args.no_plot and shutil.which(args.gnuplot) is None:
        sys.exit(f"startup.py: --gnuplot {args.gnuplot}: not found (install gnuplot-nox "
                 "or pass --no-plot)")
    return argparse.Namespace(mimeo=os.path.abspath(args.mimeo),
                              guest=os.path.abspath(args.guest), qemu=qemu)


def qemu_name(version_line):
    match = re.search(r"version (\d+\.\d+)", version_line or "")
    return f"QEMU {match.group(1)}" if match else "QEMU"


def run_one(config, paths, mem_dir, tag, timeout):
    mem_file = os.path.join(mem_dir, f"{config.key}-{tag}.ram")
    try:
        return console_run.measure(config.argv(paths, mem_file), timeout, EXPECTED_STATUS)
    finally:
        if os.path.exists(mem_file):
            os.unlink(mem_file)


def run_all(configs, labels, paths, args, mem_dir, seed):
    results = {c.key: {"runs": [], "errors": []} for c in configs}
    bar = progress.Progress([labels[c.key] for c in configs], args.runs)

    def attempt(config, tag, measured):
        try:
            run = run_one(config, paths, mem_dir, tag, args.timeout)
        except console_run.RunError as error:
            results[config.key]["errors"].append(
                {"run": tag, "error": str(error), **getattr(error, "details", {})})
            if measured:
                bar.update(labels[config.key], f"error: {error}", error=True)
            else:
                bar.message(f"warm-up of {labels[config.key]} failed: {error}")
            return
        if measured:
            run["round"] = tag
            runs = results[config.key]["runs"]
            runs.append(run)
            p50 = stats.nearest_rank(sorted(r["ready"] for r in runs), 50)
            bar.update(labels[config.key], f"ready: p50 {p50:.2f} ms, last {run['ready']:.2f} ms")

    if args.warmup:
        bar.message(f"warming up: {args.warmup} run(s) per configuration")
        for config in configs:
            for index in range(args.warmup):
                attempt(config, f"warmup{index}", measured=False)
    bar.message(f"measuring: {args.runs} rounds of {len(configs)} configurations "
                f"(shuffled, seed {seed})")
    bar.start()
    rng = random.Random(seed)
    for round_index in range(args.runs):
        order = list(configs)
        rng.shuffle(order)
        for config in order:
            attempt(config, round_index, measured=True)
    return results


def measure_all(args):
    """Runs the benchmark; the whole result document (as written to startup.json)."""
    configs = select_configs(args)
    paths = check_paths(args, configs)
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1 << 32)
    mem_dir = tempfile.mkdtemp(prefix="mimeo-bench-", dir=args.mem_dir)
    try:
        facts = machine.collect(paths.mimeo, REPO, paths.qemu, os.path.dirname(mem_dir))
        labels = {c.key: c.label(qemu_name(facts["qemu_version"])) for c in configs}
        load = machine.BackgroundLoad()
        load.start()
        results = run_all(configs, labels, paths, args, mem_dir, seed)
        facts["cpu_busy_during_run"] = load.stop()
    finally:
        shutil.rmtree(mem_dir, ignore_errors=True)
    facts["load_average_after"] = list(os.getloadavg())
    settings = {"runs": args.runs, "warmup": args.warmup, "timeout_s": args.timeout,
                "seed": seed, "expected_status": EXPECTED_STATUS,
                "mimeo": paths.mimeo, "guest": paths.guest, "qemu": paths.qemu,
                "clock": "time.perf_counter_ns (CLOCK_MONOTONIC), ms since just before Popen",
                "percentiles": "nearest rank"}
    config_results = []
    for config in configs:
        runs = results[config.key]["runs"]
        config_results.append({
            "key": config.key, "label": labels[config.key], "vmm": config.vmm,
            "backend": config.backend, "size_mib": config.size_mib,
            "argv": config.argv(paths, "{mem_file}"),
            "stats": {f.key: stats.summarize([run[f.key] for run in runs]) for f in FIGURES},
            "runs": runs, "errors": results[config.key]["errors"],
        })
    return {"benchmark": "startup", "machine": facts, "settings": settings,
            "figures": [dataclasses.asdict(f) for f in FIGURES], "configs": config_results}


def busy_note(facts):
    busy = facts.get("cpu_busy_during_run") or {}
    if "other_percent" not in busy:
        return ""
    return f", other processes kept the CPUs {busy['other_percent']:.0f}% busy"


def draw_plot(document, path, gnuplot):
    facts, configs = document["machine"], document["configs"]
    by_key = {c.key: c for c in CONFIGS}
    lines = [{"label": c["label"],
              "series": {f.key: [run[f.key] for run in c["runs"]] for f in PLOT_FIGURES},
              **by_key[c["key"]].line_style()} for c in configs]
    title = (f"Start-up of mimeo and {qemu_name(facts['qemu_version'])} on mimeo's test guest: "
             f"CDF of {document['settings']['runs']} runs per configuration\n"
             f"{facts['cpu_model']}, {facts['cpus']} CPUs, Linux {facts['kernel']}, "
             f"KVM modules {' '.join(facts['kvm_modules'])}, {facts['date'][:10]}"
             f"{busy_note(facts)}")
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    plot.cdf_panels(path, title, lines, PLOT_FIGURES, gnuplot)


def write_outputs(document, args, write_json):
    facts, settings, configs = document["machine"], document["settings"], document["configs"]
    markdown = report.results_markdown("mimeo start-up benchmark (bench/startup.py)", facts,
                                       settings, configs, SUMMARY_FIGURES, FIGURES)
    os.makedirs(args.out_dir, exist_ok=True)
    with open(os.path.join(args.out_dir, "startup.md"), "w", encoding="utf-8") as file:
        file.write(markdown)
    if write_json:
        with open(os.path.join(args.out_dir, "startup.json"), "w", encoding="utf-8") as file:
            json.dump(document, file, indent=1)
            file.write("\n")
    print(markdown)
    if args.docs:
        report.replace_block(args.docs, "startup-results", report.results_markdown(
            None, facts, settings, configs, SUMMARY_FIGURES, FIGURES, section_level=3))
    if not args.no_plot:
        try:
            draw_plot(document, args.plot, args.gnuplot)
        except ValueError as error:  # nothing to draw; the failed runs are reported below
            print(f"startup.py: no plot {args.plot}: {error}", file=sys.stderr)
        except RuntimeError as error:
            sys.exit(f"startup.py: plot {args.plot}: {error}")


def main():
    args = parse_args()
    if args.from_json:
        try:
            with open(args.from_json, encoding="utf-8") as file:
                document = json.load(file)
        except (OSError, ValueError) as error:
            sys.exit(f"startup.py: --from-json {args.from_json}: {error}")
    else:
        document = measure_all(args)
    write_outputs(document, args, write_json=not args.from_json)
    failed = sum(len(c["errors"]) for c in document["configs"])
    if failed:
        sys.exit(f"startup.py: {failed} run(s) failed; see 'Failed runs' in "
                 f"{os.path.join(args.out_dir, 'startup.md')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
