"""Markdown tables of benchmark results, and keeping a document's copy current."""

import re


def fmt_ms(value):
    return "–" if value is None else f"{value:.2f}"


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |",
             "| " + " | ".join(["---"] + ["---:"] * (len(header) - 1)) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def machine_paragraph(machine, settings):
    build = machine["mimeo"]
    modified = {True: " with uncommitted changes", False: "", None: ""}[build["sources_modified"]]
    mem = machine["mem_dir"]
    return (
        f"{machine['date']}; {settings['runs']} runs per configuration after "
        f"{settings['warmup']} warm-up run(s), configurations shuffled in every round. "
        f"CPU: {machine['cpu_model']} ({machine['cpus']} CPUs), Linux {machine['kernel']}, "
        f"KVM modules: {', '.join(machine['kvm_modules']) or 'none'}. "
        f"mimeo {build['commit'][:12]}{modified} ({build['build_type']}); "
        f"{machine['qemu_version'] or 'QEMU not run'}. "
        f"Backend files in {mem['path']} ({mem['type']}).{_busy_sentence(machine)}")


def _busy_sentence(machine):
    busy = machine.get("cpu_busy_during_run") or {}
    if "other_percent" not in busy:
        return ""
    return (f" During the runs other processes kept the CPUs {busy['other_percent']:.0f}% busy "
            f"(the benchmark and the VMMs {busy['benchmark_percent']:.0f}%).")


def summary_table(configs, figures):
    """p50 of every figure per configuration, and the failed runs."""
    header = ["configuration"] + [f"{figure.title} p50" for figure in figures] + ["failed runs"]
    rows = []
    for config in configs:
        stats = config["stats"]
        rows.append([config["label"]] + [fmt_ms(stats[f.key]["p50"]) for f in figures]
                    + [str(len(config["errors"]))])
    return table(header, rows)


def figure_table(configs, figure):
    header = ["configuration", "p50", "p90", "p99", "min", "runs"]
    rows = []
    for config in configs:
        s = config["stats"][figure.key]
        rows.append([config["label"], fmt_ms(s["p50"]), fmt_ms(s["p90"]), fmt_ms(s["p99"]),
                     fmt_ms(s["min"]), str(s["n"])])
    return table(header, rows)


def results_markdown(title, machine, settings, configs, summary_figures, all_figures,
                     section_level=2):
    """The whole report: `# title` (left out if None), then sections at section_level."""
    section = "#" * section_level
    parts = [f"# {title}", ""] if title else []
    parts += [machine_paragraph(machine, settings), "",
              "All times in milliseconds, measured from just before the process is started.", "",
              f"{section} p50", "", summary_table(configs, summary_figures), ""]
    for figure in all_figures:
        parts += [f"{section} {figure.title}", "", figure.description, "",
                  figure_table(configs, figure), ""]
    errors = [(c["label"], e) for c in configs for e in c["errors"]]
    if errors:
        parts += [f"{section} Failed runs", ""]
        parts += [f"- {label}: {error['error']}" for label, error in errors]
        parts.append("")
    return "\n".join(parts)


def replace_block(path, name, text):
    """Replaces what stands between <!-- NAME:begin --> and <!-- NAME:end --> in path."""
    with open(path, encoding="utf-8") as document:
        content = document.read()
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    pattern = re.compile(re.escape(begin) + ".*?" + re.escape(end), re.DOTALL)
    if not pattern.search(content):
        raise ValueError(f"{path}: no {begin} ... {end} block to replace")
    content = pattern.sub(lambda _: f"{begin}\n{text.strip()}\n{end}", content, count=1)
    with open(path, "w", encoding="utf-8") as document:
        document.write(content)
