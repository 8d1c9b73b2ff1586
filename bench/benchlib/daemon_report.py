"""Tables and plots of bench/daemon.py's result document."""

import os
import subprocess
import tempfile

from . import plot, stats
from .report import table

GOAL_P50_MS = 1.0
GOAL_P99_MS = 3.0
GOAL_CLONES = 1000
GOAL_PRIVATE_KIB = 512


def _pct(values, p):
    return stats.nearest_rank(sorted(values), p) if values else None


def _f(value, digits=2):
    if value is None:
        return "–"
    if isinstance(value, str):
        return value
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.{digits}f}"


def _yes(met):
    if met is None:
        return "not measured"
    return "**met**" if met else "**not met**"


BURST_MODES = (("sequential", "one after another on one connection, each after the previous "
                               "clone's `pong`"),
               ("concurrent", "all at once, one connection and thread each"))


def _burst_runs(document, mode=None):
    modes = [mode] if mode else [m for m, _ in BURST_MODES]
    return [r for m in modes for burst in document["burst"][m] for r in burst]


def _context(document):
    facts = document["machine"]
    busy = facts.get("cpu_busy_during_run") or {}
    mimeo = facts["mimeo"]
    dirty = " (uncommitted changes)" if mimeo.get("sources_modified") else ""
    s = document["settings"]
    return (f"{facts['date']}; CPU: {facts['cpu_model']} ({facts['cpus']} CPUs), Linux "
            f"{facts['kernel']}, KVM modules: {', '.join(facts['kvm_modules'])}; "
            f"MemAvailable {facts.get('mem_available_mib_before', '?')} MiB before. "
            f"mimeo {mimeo['commit'][:12]}{dirty} ({mimeo['build_type']}). Template: the test "
            f"guest (guest.elf) with {s['memory']}, a pool of {s['pool_size']} warm clones. "
            f"{s['requests']} steady-state requests, {_bursts(s['burst_rounds'])} of "
            f"{s['burst']}, {s['clones']} idle clones in batches of {s['batch']}. Load "
            f"average {facts['load_average'][0]:.2f} before, "
            f"{facts['load_average_after'][0]:.2f} after; other processes kept the CPUs "
            f"{busy.get('other_percent', '?')}% busy, the benchmark, the daemon and its clones "
            f"{busy.get('benchmark_percent', '?')}%.")


def _memory_summary(document):
    samples = document.get("memory_samples", [])
    out = {}
    for key in ("private", "guest_written", "guest_clean", "beyond_guest", "rss", "pss"):
        values = [s[key] for s in samples if key in s]
        out[key] = {"p50": _pct(values, 50), "max": max(values) if values else None,
                    "mean": sum(values) / len(values) if values else None}
    return out


def _per_clone_growth(document):
    """KiB per clone: the daemon's private memory, MemAvailable, kernel memory."""
    density = document["density"]
    alive = max(density["alive"], 1)
    before, after = density["meminfo_before_kib"], density["meminfo_after_kib"]
    kernel = ("Slab", "PageTables", "KernelStack", "SecPageTables")
    daemon_before = density["daemon_before"].get("private_kib")
    daemon_after = density["daemon_after"].get("private_kib")
    return {
        "daemon_private": None if daemon_before is None or daemon_after is None
        else (daemon_after - daemon_before) / alive,
        "mem_available": (before["MemAvailable"] - after["MemAvailable"]) / alive,
        "kernel": sum(after.get(k, 0) - before.get(k, 0) for k in kernel) / alive,
    }


def goals(document):
    """[(goal, target, measured text, met)] for issue 5's three goals."""
    steady = document["steady"]
    totals = [r["total_ms"] for r in steady]
    p50, p99 = _pct(totals, 50), _pct(totals, 99)
    hits = sum(r["from_pool"] for r in steady)
    density = document["density"]
    memory = _memory_summary(document)["beyond_guest"]
    samples = document.get("memory_samples", [])
    over = sum(s["beyond_guest"] > GOAL_PRIVATE_KIB for s in samples)
    wanted = document["settings"]["clones"]
    return [
        ("request to the clone's guest answering, p50", f"≤ {GOAL_P50_MS:g} ms",
         f"{_f(p50)} ms ({len(totals)} requests, {hits} from the pool)",
         p50 is not None and p50 <= GOAL_P50_MS),
        ("request to the clone's guest answering, p99", f"≤ {GOAL_P99_MS:g} ms",
         f"{_f(p99)} ms", p99 is not None and p99 <= GOAL_P99_MS),
        ("idle clones of the test guest alive at once", f"{GOAL_CLONES}",
         f"{density['alive']} made, {density['answered']} answered `ping`"
         + ("" if wanted >= GOAL_CLONES else f" (this run asked for {wanted} only)"),
         None if wanted < GOAL_CLONES else density["answered"] >= GOAL_CLONES),
        ("host memory private to an idle clone beyond its guest's pages", f"≤ {GOAL_PRIVATE_KIB} KiB",
         f"p50 {_f(memory['p50'], 0)} KiB, max {_f(memory['max'], 0)} KiB "
         f"({len(samples)} clones" + (f"; {over} over {GOAL_PRIVATE_KIB} KiB" if over else "")
         + ")", memory["max"] is not None and memory["max"] <= GOAL_PRIVATE_KIB),
    ]


def _latency_rows(runs):
    figures = [("request → `pong` (the goal's figure)", "total_ms"),
               ("request → HTTP answer", "answer_ms"),
               ("answer → console connected", "connect_ms"),
               ("connected → `pong` (write `ping`, read `pong`)", "ping_ms"),
               ("daemon's `create_ms` (request in → clone running)", "create_ms"),
               ("for scale: a second `ping` → `pong` on the same clone", "again_ms"),
               ("for scale: GET /health round trip (before the request)", "health_ms")]
    rows = []
    for label, key in figures:
        values = [r[key] for r in runs if key in r]
        if not values:
            continue
        rows.append([label] + [_f(_pct(values, p)) for p in (50, 90, 99)]
                    + [_f(max(values) if values else None), str(len(values))])
    return rows


def markdown(document):
    s = document["settings"]
    parts = [_context(document), "", "### Goals (issue 5)", ""]
    parts.append(table(["goal", "target", "measured", "verdict"],
                       [[g, t, m, _yes(ok)] for g, t, m, ok in goals(document)]))
    steady = document["steady"]
    parts += ["", "### Latency, pool refilled between requests", "",
              f"{len(steady)} requests one at a time; before each, the benchmark waited for the "
              f"pool to be full again ({s['pool_size']} warm clones) and {s['gap'] * 1000:g} ms "
              f"more. {sum(r['from_pool'] for r in steady)} of {len(steady)} clones came from "
              "the pool. Milliseconds:", ""]
    header = ["figure", "p50", "p90", "p99", "max", "n"]
    parts.append(table(header, _latency_rows(steady)))
    for mode, how in BURST_MODES:
        parts += _burst_markdown(document, mode, how, header)
    parts += _density_markdown(document)
    parts += _memory_markdown(document)
    parts += _reference_markdown(document)
    return "\n".join(parts).rstrip() + "\n"


def _burst_markdown(document, mode, how, header):
    s = document["settings"]
    burst = _burst_runs(document, mode)
    hits = [r for r in burst if r["from_pool"]]
    misses = [r for r in burst if not r["from_pool"]]
    positions = {}
    for round_runs in document["burst"][mode]:
        for index, r in enumerate(round_runs):
            positions.setdefault(index + 1, []).append(r["from_pool"])
    hit_positions = [p for p, flags in positions.items() if all(flags)]
    order = "in the burst" if mode == "sequential" else "in the order of their `pong`"
    parts = ["", f"### Latency, {mode} bursts from a full pool", "",
             f"{_bursts(s['burst_rounds'])} of {s['burst']} requests {how}, each burst "
             f"starting with a full pool of {s['pool_size']}. Requests {_ranges(hit_positions)} "
             f"({order}) came from the pool in every burst; {len(misses)} of {len(burst)} were "
             "started on request (a pool miss: the daemon starts a worker in the request and "
             "waits for its restore). Milliseconds:", ""]
    for label, runs in (("from the pool", hits), ("started on request", misses)):
        if runs:
            parts += [f"{label} ({len(runs)}):", "", table(header, _latency_rows(runs)), ""]
    return parts


def _bursts(count):
    return f"{count} burst" + ("" if count == 1 else "s")


def _ranges(numbers):
    if not numbers:
        return "none"
    numbers = sorted(numbers)
    spans, start, last = [], numbers[0], numbers[0]
    for n in numbers[1:] + [None]:
        if n is not None and n == last + 1:
            last = n
            continue
        spans.append(f"{start}" if start == last else f"{start}–{last}")
        if n is not None:
            start = last = n
    return ", ".join(spans)


def _daemon_row(label, facts):
    return [label, _f(facts.get("rss_kib") / 1024, 1), _f((facts.get("private_kib") or 0) / 1024, 1),
            str(facts.get("threads")), str(facts.get("fds"))]


def _density_markdown(document):
    density = document["density"]
    batches = density["batches"]
    pings = density["ping_ms"]
    rows = [
        ["clones requested / alive", f"{density['requested']} / {density['alive']}"],
        ["time to create all (POST /clones, batches of "
         f"{density['batch']} from {document['settings'].get('parallel', 1)} connections at once)",
         f"{density['create_all_s']:.1f} s"],
        ["one batch, p50 / max", f"{_f(_pct([b['seconds'] for b in batches], 50))} / "
                                 f"{_f(max(b['seconds'] for b in batches))} s"],
        ["clones from the pool", str(sum(b["from_pool"] for b in batches))],
        ["answered `ping` (all pinged at once, 200 connections in flight)",
         f"{density['answered']} of {density['alive']}"],
        ["connect → `pong` while all are pinged, p50 / p99 / max",
         f"{_f(_pct(pings, 50))} / {_f(_pct(pings, 99))} / {_f(max(pings) if pings else None)} ms"],
        ["load average (1 min) before / all created / all pinged",
         f"{density['load_average_before'][0]:.1f} / {density['load_average_created'][0]:.1f} / "
         f"{density['load_average_pinged'][0]:.1f}"],
        ["deleting all (4 connections)", f"{density.get('delete_all_s', 0):.1f} s"],
    ]
    idle = density.get("idle_cpu")
    if idle and idle.get("per_pid"):  # earlier runs timed all processes with one interval
        rows.append([f"CPU used by the idle clones over {idle['seconds']:.0f} s (utime + stime)",
                     f"{idle['per_clone_percent_of_one_cpu']:.2f}% of a CPU each, "
                     f"{idle['total_percent_of_one_cpu']:.0f}% of a CPU together"])
    if density["errors"]:
        messages = sorted({e.get("message", str(e)) if isinstance(e, dict) else str(e)
                           for e in density["errors"]})
        rows.append(["clones that failed to start (each asked for again in a later batch)",
                     f"{len(density['errors'])}: " + "; ".join(f"`{m}`" for m in messages)])
    if density["ping_errors"]:
        rows.append(["clones that did not answer `ping`",
                     f"{len(density['ping_errors'])}; first: {density['ping_errors'][0]}"])
    parts = ["### Density", "", table(["figure", "value"], rows), "",
             "The daemon process (`/proc/PID/status`, private = Private_Clean + Private_Dirty "
             "from smaps):", ""]
    parts.append(table(["daemon", "RSS MiB", "private MiB", "threads", "fds"], [
        _daemon_row("pool full, no clone", document["daemon_idle"]),
        _daemon_row("before the density run", density["daemon_before"]),
        _daemon_row(f"with {density['alive']} idle clones", density["daemon_after"])]))
    return parts + [""]


def _memory_markdown(document):
    memory = _memory_summary(document)
    growth = _per_clone_growth(document)
    count = len(document.get("memory_samples", []))
    rows = [[label] + [_f(memory[key][k], 0) for k in ("p50", "mean", "max")]
            for label, key in (("private (Private_Clean + Private_Dirty)", "private"),
                               ("of which the guest wrote (anonymous in the template's RAM "
                                "mapping)", "guest_written"),
                               ("**beyond the guest's pages** (the goal's figure)",
                                "beyond_guest"),
                               ("of which clean pages of the template's RAM file that no "
                                "other process maps (page cache)", "guest_clean"),
                               ("RSS", "rss"), ("PSS", "pss"))]
    metrics = document.get("metrics_with_clones", {})
    reported = metrics.get('mimeo_clone_memory_bytes{kind="private"}')
    alive = document["density"]["alive"]
    parts = ["### Memory per idle clone", "",
             f"Each of the {count} idle clones' worker process, from /proc/PID/smaps after "
             "every clone answered `ping` (KiB):", "",
             table(["per clone", "p50", "mean", "max"], rows), "",
             "Outside the clone's process, per clone (the difference between before and with "
             f"the {alive} clones, divided by {alive}; system-wide figures include whatever "
             "else ran meanwhile):", ""]
    extra = [["the daemon's private memory", f"{_f(growth['daemon_private'], 1)} KiB"],
             ["kernel memory (Slab + PageTables + KernelStack + SecPageTables)",
              f"{_f(growth['kernel'], 0)} KiB"],
             ["MemAvailable drop (everything)", f"{_f(growth['mem_available'], 0)} KiB"]]
    if reported is not None and alive:
        extra.append(["`mimeo_clone_memory_bytes{kind=\"private\"}` ÷ clones (the daemon's "
                      "own figure)", f"{reported / 1024 / alive:.0f} KiB"])
    parts += [table(["figure", "per clone"], extra), ""]
    slab = document["density"].get("slab_growth_kib")
    if slab and alive:
        top = [(name, kib) for name, kib in slab.items() if kib / alive >= 4][:10]
        parts += ["The slab caches that grew most (/proc/slabinfo, KiB per clone): "
                  + ", ".join(f"`{name}` {kib / alive:.0f}" for name, kib in top) + ".", ""]
    over = [s for s in document.get("memory_samples", []) if s["beyond_guest"] > GOAL_PRIVATE_KIB]
    if over:
        parts += [f"Clones over {GOAL_PRIVATE_KIB} KiB beyond the guest's pages, with the mapping "
                  "that held most of their private memory (a file's clean pages count as "
                  "private while no other process maps them): "
                  + "; ".join(f"pid {s['pid']} {s['beyond_guest']} KiB"
                              + (f" (`{s['largest_private']['mapping']}` "
                                 f"{s['largest_private']['kib']} KiB)"
                                 if "largest_private" in s else "")
                              for s in over[:10]) + ".", ""]
    return parts


def _reference_markdown(document):
    ref = document.get("templating_reference")
    if not ref:
        return []
    steady = [r["total_ms"] for r in document["steady"]]
    memory = _memory_summary(document)
    density = document["density"]
    rows = [["request / spawn → `pong`, p50", f"{_f(_pct(steady, 50))} ms",
             f"{_f(_pct(ref['pong_ms'], 50))} ms"],
            ["request / spawn → `pong`, p99", f"{_f(_pct(steady, 99))} ms",
             f"{_f(_pct(ref['pong_ms'], 99))} ms"]]
    if ref.get("memory"):
        rows.append([f"private per clone ({ref['memory']['clones']} running for `mimeo clone`)",
                     f"{_f(memory['private']['mean'], 0)} KiB (mean)",
                     f"{ref['memory']['private'] * 1024:.0f} KiB (mean)"])
    if ref.get("density") and ref["density"]["clones"] == density["alive"]:
        rows.append([f"{ref['density']['clones']} clones all answering",
                     f"{density['create_all_s']:.0f} s to create (batches), then pinged",
                     f"{ref['density']['all_answered_ms'] / 1000:.0f} s (all started at once)"])
    return ["### Against `mimeo clone DIR` (no daemon)", "",
            f"`mimeo clone DIR` figures quoted from {ref['file']} ({ref['date'][:10]}; its "
            f"guest has {ref['guest_memory']}, a cold process start per clone):", "",
            table(["figure", "daemon (this run)", "`mimeo clone DIR`"], rows), ""]


# -- plots --------------------------------------------------------------------

def _where(document):
    facts = document["machine"]
    busy = (facts.get("cpu_busy_during_run") or {}).get("other_percent", "?")
    return (f"{facts['cpu_model']}, {facts['cpus']} CPUs, Linux {facts['kernel']}, "
            f"{facts['date'][:10]}, other load {busy}%")


def _cdf_file(path, values):
    ordered = sorted(values)
    with open(path, "w", encoding="utf-8") as data:
        if ordered:
            data.write(f"{ordered[0]:.5f} 0\n")
        for i, value in enumerate(ordered):
            data.write(f"{value:.5f} {(i + 1) / len(ordered):.6f}\n")


def _run_gnuplot(script, work, gnuplot):
    path = os.path.join(work, "plot.gp")
    with open(path, "w", encoding="utf-8") as file:
        file.write("\n".join(script) + "\n")
    done = subprocess.run([gnuplot, path], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"gnuplot failed (status {done.returncode}): {done.stderr.strip()}")


def plots(document, img_dir, gnuplot="gnuplot"):
    os.makedirs(img_dir, exist_ok=True)
    _latency_plot(document, os.path.join(img_dir, "daemon-latency.png"), gnuplot)
    _memory_plot(document, os.path.join(img_dir, "daemon-memory.png"), gnuplot)


def _latency_plot(document, output, gnuplot):
    q = plot._quote
    steady = document["steady"]
    burst = _burst_runs(document)
    ref = document.get("templating_reference")
    values = [r["total_ms"] for r in steady + burst] + [r["create_ms"] for r in steady]
    low = min(min(values), GOAL_P50_MS) / 1.5
    high = max(max(values), GOAL_P99_MS) * 1.5
    if ref:
        high = max(high, max(ref["pong_ms"]) * 1.5)
    tics = ", ".join(plot._log_tics(low, high))
    title = f"mimeo serve: request to the clone's guest answering\n{_where(document)}"
    with tempfile.TemporaryDirectory(prefix="mimeo-plot-") as work:
        lines = [("total_ms", "request → pong (steady state)", "#1f5fa8", 1, 3),
                 ("create_ms", "daemon's create_ms", "#2a9d3a", 1, 2),
                 ("answer_ms", "request → HTTP answer", "#999999", 2, 2)]
        plots = []
        for key, label, color, dash, width in lines:
            path = os.path.join(work, f"{key}.dat")
            _cdf_file(path, [r[key] for r in steady])
            plots.append(f"{q(path)} using 1:2 with steps lc rgb {q(color)} dt {dash} "
                         f"lw {width} title {q(label)}")
        if ref:
            path = os.path.join(work, "reference.dat")
            _cdf_file(path, ref["pong_ms"])
            plots.append(f"{q(path)} using 1:2 with steps lc rgb '#c0142b' dt 4 lw 2 "
                         f"title {q('mimeo clone DIR, no daemon (' + ref['guest_memory'] + ')')}")
        goal = os.path.join(work, "goal.dat")
        with open(goal, "w", encoding="utf-8") as data:
            data.write(f"{GOAL_P50_MS} 0.5\n{GOAL_P99_MS} 0.99\n")
        plots.append(f"{q(goal)} using 1:2 with points pt 9 ps 2.5 lc rgb 'black' "
                     f"title 'goals: p50 ≤ 1 ms, p99 ≤ 3 ms'")
        script = [
            "set terminal pngcairo noenhanced size 1400,760 font 'Sans,11'",
            f"set output {q(os.path.abspath(output))}",
            f"set multiplot layout 1,2 title {q(title)} font 'Sans,13'",
            "set bmargin 10", "set logscale x", f"set xrange [{low:.4f}:{high:.4f}]", f"set xtics ({tics})",
            "set mxtics 10", "set grid xtics mxtics ytics lc rgb '#dddddd'",
            f"set arrow 1 from {GOAL_P50_MS},graph 0 to {GOAL_P50_MS},graph 1 nohead "
            "lc rgb 'black' dt 2",
            f"set arrow 2 from {GOAL_P99_MS},graph 0 to {GOAL_P99_MS},graph 1 nohead "
            "lc rgb 'black' dt 2",
            f"set title {q(f'{len(steady)} requests one at a time, pool refilled in between (CDF)')}",
            "set xlabel 'milliseconds (log scale)'", "set ylabel 'fraction of requests at or below'",
            "set yrange [0:1.02]", "set ytics 0.1",
            "set key at screen 0.27,screen 0.015 center bottom box maxrows 5",
            "plot " + ", \\\n  ".join(plots)]
        burst_plots = []
        styles = {("sequential", True): ("pt 7", "#1f5fa8", "from the pool"),
                  ("sequential", False): ("pt 5", "#c0142b", "started on request"),
                  ("concurrent", True): ("pt 6", "#1f5fa8", "from the pool"),
                  ("concurrent", False): ("pt 4", "#c0142b", "started on request")}
        for offset, (mode, _) in zip((-0.15, 0.15), BURST_MODES):
            rounds = document["burst"][mode]
            for hit in (True, False):
                path = os.path.join(work, f"{mode}-{hit}.dat")
                with open(path, "w", encoding="utf-8") as data:
                    for round_runs in rounds:
                        for index, r in enumerate(round_runs):
                            if r["from_pool"] == hit:
                                data.write(f"{index + 1 + offset:.3f} {r['total_ms']:.5f}\n")
                point, color, what = styles[(mode, hit)]
                burst_plots.append(f"{q(path)} using 1:2 with points {point} ps 1.3 "
                                   f"lc rgb {q(color)} title {q(mode + ': ' + what)}")
        burst_n = document["settings"]["burst"]
        burst_title = (f"{_bursts(document['settings']['burst_rounds'])} of {burst_n} "
                       f"requests from a full pool of {document['settings']['pool_size']}: "
                       "one after another, or all at once")
        script += [
            "unset arrow",
            f"set arrow 1 from graph 0,first {GOAL_P50_MS} to graph 1,first {GOAL_P50_MS} "
            "nohead lc rgb 'black' dt 2",
            f"set arrow 2 from graph 0,first {GOAL_P99_MS} to graph 1,first {GOAL_P99_MS} "
            "nohead lc rgb 'black' dt 2",
            "unset logscale x", "set logscale y", f"set yrange [{low:.4f}:{high:.4f}]",
            f"set ytics ({tics})", "set mytics 10", "unset mxtics",
            f"set xrange [0.3:{burst_n + 0.7}]", f"set xtics 1" if burst_n <= 25 else "set xtics 5",
            "set grid ytics mytics lc rgb '#dddddd'",
            f"set title {q(burst_title)}",
            "set xlabel 'request in the burst (concurrent: in the order of their pong)'",
            "set ylabel 'request → pong, ms (log scale)'",
            "set key at screen 0.75,screen 0.015 center bottom box maxrows 2",
            "plot " + ", \\\n  ".join(burst_plots),
            "unset multiplot"]
        _run_gnuplot(script, work, gnuplot)


def _memory_plot(document, output, gnuplot):
    q = plot._quote
    samples = document.get("memory_samples", [])
    density = document["density"]
    title = (f"mimeo serve: {density['alive']} idle clones of the test guest "
             f"({document['settings']['memory']})\n{_where(document)}")
    with tempfile.TemporaryDirectory(prefix="mimeo-plot-") as work:
        memory = _memory_summary(document)
        growth = _per_clone_growth(document)
        bars = [("worker process:\\nprivate beyond\\nthe guest's pages", memory["beyond_guest"]["p50"],
                 0x1f5fa8),
                ("worker process:\\npages the\\nguest wrote", memory["guest_written"]["p50"],
                 0x8fb3dc),
                ("kernel: Slab,\\npage tables,\\nkernel stacks", growth["kernel"], 0xc0142b),
                ("the daemon's\\nprivate memory", growth["daemon_private"] or 0, 0x2a9d3a)]
        bars_path = os.path.join(work, "bars.dat")
        with open(bars_path, "w", encoding="utf-8") as data:
            for index, (label, value, color) in enumerate(bars):
                data.write(f'{index + 1} "{label}" {value or 0:.1f} {color}\n')
        top = max([b[1] or 0 for b in bars] + [GOAL_PRIVATE_KIB]) * 1.2
        alive = os.path.join(work, "alive.dat")
        with open(alive, "w", encoding="utf-8") as data:
            data.write(f"0 0 {density['load_average_before'][0]:.2f}\n")
            for batch in density["batches"]:
                data.write(f"{batch['since_start_s']:.3f} {batch['alive']} "
                           f"{batch['load_average'][0]:.2f}\n")
        script = [
            "set terminal pngcairo noenhanced size 1400,680 font 'Sans,11'",
            f"set output {q(os.path.abspath(output))}",
            f"set multiplot layout 1,2 title {q(title)} font 'Sans,13'",
            "set bmargin 6", "set grid lc rgb '#dddddd'",
            f"set title {q(f'host memory per idle clone (p50 over {len(samples)} clones; kernel and daemon: growth ÷ clones)')}",
            f"set yrange [0:{top:.0f}]", "set xrange [0.4:4.6]", "set ylabel 'KiB'",
            "set style fill solid 0.85 border -1", "set boxwidth 0.6", "set grid ytics",
            "set xtics scale 0",
            f"set arrow 1 from graph 0,first {GOAL_PRIVATE_KIB} to graph 1,first "
            f"{GOAL_PRIVATE_KIB} nohead lc rgb 'black' dt 2 lw 2",
            f"set label 1 'goal: ≤ {GOAL_PRIVATE_KIB} KiB beyond the guest' at graph 0.98,first "
            f"{GOAL_PRIVATE_KIB} right offset 0,0.7",
            "unset key",
            f"plot {q(bars_path)} using 1:3:4:xtic(2) with boxes lc rgb variable, "
            f"'' using 1:3:(sprintf('%.0f KiB', $3)) with labels offset 0,0.8",
            "unset arrow", "unset label", "set xtics scale 1", "set grid xtics ytics",
            "set xrange [*:*]", "set yrange [*:*]", "set xtics auto",
            f"set title {q('clones alive while POST /clones made them in batches of ' + str(density['batch']))}",
            "set autoscale x", "set autoscale y", "set ytics auto", "set y2tics",
            "set xlabel 'seconds since the first request'", "set ylabel 'clones alive'",
            "set y2label 'load average (1 min)'", "set key top left box",
            f"plot {q(alive)} using 1:2 with linespoints lw 2 pt 7 ps 0.6 lc rgb '#1f5fa8' "
            "title 'clones alive', "
            f"{q(alive)} using 1:3 axes x1y2 with lines lw 1 dt 2 lc rgb '#c0142b' "
            "title 'load average'",
            "unset multiplot"]
        _run_gnuplot(script, work, gnuplot)
