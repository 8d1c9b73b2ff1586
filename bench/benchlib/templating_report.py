"""Tables and plots of bench/templating.py's result document."""

import os
import subprocess
import tempfile

from . import plot, stats

QEMU = "qemu"
MIMEO = ("mimeo-qmp", "mimeo-clone")


def _fmt(value, digits=1):
    if value is None:
        return "–"
    if isinstance(value, str):
        return value
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.{digits}f}"


def _ratio(qemu, mimeo):
    if not isinstance(qemu, (int, float)) or not isinstance(mimeo, (int, float)) or mimeo == 0:
        return "–"
    return f"{qemu / mimeo:.1f}×"


def _pct(values, p):
    return stats.nearest_rank(sorted(values), p) if values else None


def rows(document):
    """[(group, figure, unit, {system key: value})] in table order."""
    keys = [s["key"] for s in document["systems"]]
    out = []

    def add(group, figure, unit, getter):
        values = {}
        for key in keys:
            try:
                values[key] = getter(key)
            except (KeyError, IndexError, TypeError):
                values[key] = None
        out.append((group, figure, unit, values))

    templates = document.get("templates", {})
    add("1. template", "creation, start to state saved, p50", "ms",
        lambda k: _pct([t["total_ms"] for t in templates[k]], 50))
    add("1. template", "saving (stop + migrate / freeze), p50", "ms",
        lambda k: _pct([t["save_ms"] for t in templates[k] if t["save_ms"] is not None], 50))
    add("1. template", "saved state (without RAM)", "KiB",
        lambda k: templates[k][-1]["state_bytes"] / 1024)
    latency = document.get("latency", {})
    for p in stats.PERCENTILES:
        add("2. clone latency", f"spawn to `pong`, p{p}", "ms",
            lambda k, p=p: _pct(latency[k]["pong_ms"], p))
    for entry_index, count in enumerate(document["settings"]["memory_counts"]):
        for field, name in (("rss", "RSS"), ("pss", "PSS"), ("private", "private"),
                            ("anonymous", "anonymous")):
            def get(k, i=entry_index, f=field):
                entry = document["memory"][k][i]
                return entry["per_clone_mib"][f] if "per_clone_mib" in entry else "skipped"
            add("3. memory per clone", f"{name}, {count} running", "MiB", get)
    for entry_index, count in enumerate(document["settings"]["density"]):
        def all_ms(k, i=entry_index):
            entry = document["density"][k][i]
            return entry.get("all_answered_ms", "skipped")

        def p99(k, i=entry_index):
            entry = document["density"][k][i]
            return _pct(entry["pong_ms"], 99) if "pong_ms" in entry else "skipped"
        add("4. density", f"{count} started at once: all answered", "ms", all_ms)
        add("4. density", f"{count} at once: one clone's spawn to `pong`, p99", "ms", p99)
    churn = document.get("churn", {})
    add("5. churn", "clones created and destroyed per second", "1/s",
        lambda k: churn[k]["per_second"])
    for how, name in (("exit", "`exit 0`"), ("sigterm", "SIGTERM")):
        for p in (50, 99):
            add("5. churn", f"tear-down, {name} to reaped, p{p}", "ms",
                lambda k, h=how, p=p: _pct(churn[k][f"{h}_ms"], p))
    for entry_index, mib in enumerate(document["settings"]["dirty"]):
        add("6. dirty", f"private growth after `dirty {mib}`", "MiB",
            lambda k, i=entry_index: document["dirty"][k][i]["private_growth_mib"])
        add("6. dirty", f"anonymous growth after `dirty {mib}`", "MiB",
            lambda k, i=entry_index: document["dirty"][k][i]["anonymous_growth_mib"])
    return out


def _context(document):
    facts = document["machine"]
    busy = facts.get("cpu_busy_during_run") or {}
    mimeo = facts["mimeo"]
    dirty = " (uncommitted changes)" if mimeo.get("sources_modified") else ""
    s = document["settings"]
    return (f"{facts['date']}; CPU: {facts['cpu_model']} ({facts['cpus']} CPUs), Linux "
            f"{facts['kernel']}, KVM modules: {', '.join(facts['kvm_modules'])}; "
            f"MemAvailable {facts.get('mem_available_mib_before', '?')} MiB before. "
            f"mimeo {mimeo['commit'][:12]}{dirty} ({mimeo['build_type']}); "
            f"{facts['qemu_version']}. Guest: build/guest/guest.elf with 256 MiB. "
            f"{s['templates']} templates, {s['clones']} clones for latency, "
            f"{s['churn_seconds']:g} s of churn per system; systems interleaved (seed "
            f"{document['seed']}). Load average {facts['load_average'][0]:.2f} before, "
            f"{facts['load_average_after'][0]:.2f} after; other processes kept the CPUs "
            f"{busy.get('other_percent', '?')}% busy, the benchmark and its VMMs "
            f"{busy.get('benchmark_percent', '?')}%.")


def markdown(document):
    labels = {s["key"]: s["label"] for s in document["systems"]}
    keys = list(labels)
    mimeo_keys = [k for k in MIMEO if k in keys]
    header = ["group", "figure", "unit"] + [labels[k] for k in keys]
    if QEMU in keys:
        header += [f"QEMU ÷ {labels[k]}" for k in mimeo_keys]
    lines = [_context(document), "",
             "| " + " | ".join(header) + " |",
             "| --- | --- | --- |" + " ---: |" * (len(header) - 3)]
    for group, figure, unit, values in rows(document):
        cells = [group, figure, unit] + [_fmt(values[k]) for k in keys]
        if QEMU in keys:
            cells += [_ratio(values[QEMU], values[k]) for k in mimeo_keys]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "Ratios are QEMU's figure divided by mimeo's: above 1× means QEMU takes "
              "longer or uses more, except for clones per second, where above 1× means QEMU "
              "is faster. Memory is the mean over the running clones of "
              "/proc/PID/smaps_rollup (private = Private_Clean + Private_Dirty). QEMU 7.2 "
              "clones map the template file share=off without readonly=on,rom=off (not in "
              "7.2), so the file is opened writable; they are started with `-incoming defer` "
              "(QEMU refuses an x-ignore-shared stream unless the destination has the "
              "capability too). The daemon path (`mimeo serve`) is measured by bench/daemon.py (its section below)."]
    skipped = [f"{labels[k]} ×{e['clones']} ({scenario}): {e['skipped']}"
               for scenario in ("memory", "density") for k in keys
               for e in document.get(scenario, {}).get(k, []) if "skipped" in e]
    if skipped:
        lines += ["", "Skipped: " + "; ".join(skipped) + "."]
    return "\n".join(lines) + "\n"


class _Figure:
    def __init__(self, key, title):
        self.key, self.title = key, title


COLORS = {"qemu": "#c0142b", "mimeo-qmp": "#2a9d3a", "mimeo-clone": "#1f5fa8"}


def plots(document, img_dir, gnuplot):
    os.makedirs(img_dir, exist_ok=True)
    facts = document["machine"]
    where = (f"{facts['cpu_model']}, {facts['cpus']} CPUs, Linux {facts['kernel']}, "
             f"{facts['date'][:10]}, other load {facts['cpu_busy_during_run'].get('other_percent', '?')}%")
    density = [e for e in document["settings"]["density"]]
    dens_index = {k: next((i for i, e in enumerate(document["density"][k]) if "pong_ms" in e),
                          None) for k in COLORS if k in document["density"]}
    figures = [_Figure("latency", f"one clone at a time ({document['settings']['clones']} "
                                  "per system): spawn to pong")]
    common = [i for i in dens_index.values()]
    if common and None not in common and len(set(common)) == 1:
        figures.append(_Figure("density", f"{density[common[0]]} clones started at once: "
                                          "each one's spawn to pong"))
    lines = []
    for system in document["systems"]:
        key = system["key"]
        series = {"latency": document["latency"][key]["pong_ms"]}
        if len(figures) > 1:
            series["density"] = document["density"][key][dens_index[key]]["pong_ms"]
        lines.append({"label": system["label"], "series": series, "color": COLORS[key],
                      "dash": 1, "width": 2})
    plot.cdf_panels(os.path.join(img_dir, "templating-latency.png"),
                    f"Clone latency, mimeo and QEMU templating (CDF)\n{where}", lines, figures,
                    gnuplot)
    _memory_plot(document, os.path.join(img_dir, "templating-memory.png"), where, gnuplot)


def _memory_plot(document, output, where, gnuplot):
    panels = [("pss", "PSS per clone"), ("private", "private (clean + dirty) per clone")]
    with tempfile.TemporaryDirectory(prefix="mimeo-plot-") as work:
        script = ["set terminal pngcairo noenhanced size 1400,600 font 'Sans,11'",
                  f"set output {plot._quote(os.path.abspath(output))}",
                  f"set multiplot layout 1,2 title {plot._quote('Memory per running clone, 256 MiB guest' + chr(10) + where)} font 'Sans,13'",
                  "set logscale x", "set logscale y", "set grid lc rgb '#dddddd'",
                  "set xlabel 'clones running (log scale)'", "set ylabel 'MiB (log scale)'",
                  "set key top right box"]
        counts = document["settings"]["memory_counts"]
        script.append(f"set xrange [{min(counts) / 1.5}:{max(counts) * 1.5}]")
        script.append("set xtics (" + ", ".join(f"'{c}' {c}" for c in counts) + ")")
        files = {}
        for system in document["systems"]:
            path = os.path.join(work, f"{system['key']}.dat")
            with open(path, "w", encoding="utf-8") as data:
                for entry in document["memory"][system["key"]]:
                    if "per_clone_mib" in entry:
                        m = entry["per_clone_mib"]
                        data.write(f"{entry['clones']} {m['pss']:.4f} {m['private']:.4f}\n")
            files[system["key"]] = (path, system["label"])
        for column, (_, title) in enumerate(panels):
            script.append(f"set title {plot._quote(title)}")
            script.append("plot " + ", ".join(
                f"{plot._quote(path)} using 1:{column + 2} with linespoints lw 2 pt 7 "
                f"lc rgb {plot._quote(COLORS[key])} title {plot._quote(label)}"
                for key, (path, label) in files.items()))
        script.append("unset multiplot")
        script_path = os.path.join(work, "memory.gp")
        with open(script_path, "w", encoding="utf-8") as file:
            file.write("\n".join(script) + "\n")
        done = subprocess.run([gnuplot, script_path], capture_output=True, text=True,
                              check=False)
        if done.returncode != 0:
            raise RuntimeError(f"gnuplot failed: {done.stderr.strip()}")
