"""Distribution plots drawn by gnuplot (pngcairo): one CDF panel per figure."""

import math
import os
import subprocess
import tempfile


def _quote(text):
    """A gnuplot double-quoted string; newlines become line breaks in titles."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return '"' + escaped + '"'


def _log_tics(low, high):
    """Labelled tics 1, 2, 5, 10, 20, 50, ... inside [low, high]."""
    tics, decade = [], 10.0 ** math.floor(math.log10(low))
    while decade <= high:
        tics += [f"'{m * decade:g}' {m * decade:g}" for m in (1, 2, 5) if low <= m * decade <= high]
        decade *= 10
    return tics


def _write_cdf_data(path, series, figures):
    """Columns: fraction of runs, then each figure's values sorted on their own.

    A first row at fraction 0 makes every step plot start with a rise at its
    smallest value.
    """
    columns = [sorted(series[f.key]) for f in figures]
    n = len(columns[0])
    with open(path, "w", encoding="utf-8") as data:
        data.write("0 " + " ".join(f"{column[0]:.4f}" for column in columns) + "\n")
        for i in range(n):
            data.write(f"{(i + 1) / n:.6f} " + " ".join(f"{c[i]:.4f}" for c in columns) + "\n")


def cdf_panels(output, title, lines, figures, gnuplot="gnuplot"):
    """Draws a 2-column grid of CDFs, one panel per figure, to the PNG `output`.

    lines: [{label, color, dash, width, series: {figure key: [ms, ...]}}]; lines
    without values are left out. All panels share one logarithmic time axis.
    """
    lines = [line for line in lines if line["series"][figures[0].key]]
    if not lines:
        raise ValueError("nothing to plot: no successful runs")
    values = [v for line in lines for f in figures for v in line["series"][f.key]]
    low, high = min(values) / 1.25, max(values) * 1.25
    rows = (len(figures) + 1) // 2
    height = 450 * rows + 200
    top = 1 - 160 / height  # room for the title and the legend
    with tempfile.TemporaryDirectory(prefix="mimeo-plot-") as work:
        script = [
            f"set terminal pngcairo noenhanced size 1400,{height} font 'Sans,11'",
            f"set output {_quote(os.path.abspath(output))}",
            f"set multiplot layout {rows},2 title {_quote(title)} font 'Sans,13' "
            f"margins 0.06,0.98,{60 / height:.4f},{top:.4f} spacing 0.07,{110 / height:.4f}",
            "set logscale x", f"set xrange [{low:.4f}:{high:.4f}]",
            f"set xtics ({', '.join(_log_tics(low, high))})", "set mxtics 10",
            "set yrange [0:1.02]", "set ytics 0.1",
            "set grid xtics mxtics ytics lc rgb '#dddddd'",
            "set xlabel 'milliseconds since just before the process was started (log scale)'",
            "set ylabel 'fraction of runs at or below'",
        ]
        for index, line in enumerate(lines):
            data = os.path.join(work, f"line{index}.dat")
            _write_cdf_data(data, line["series"], figures)
            line["data"] = data
        for panel, figure in enumerate(figures):
            script.append(f"set title {_quote(figure.title)}")
            if panel == 0:
                script.append(f"set key at screen 0.5,screen {top + 80 / height:.4f} center top "
                              "vertical maxrows 2 width 1 samplen 4 box")
            else:
                script.append("unset key")
            plots = [
                f"{_quote(line['data'])} using {panel + 2}:1 with steps "
                f"lc rgb {_quote(line['color'])} dt {line['dash']} lw {line['width']} "
                f"title {_quote(line['label'])}"
                for line in lines]
            script.append("plot " + ", \\\n  ".join(plots))
        script.append("unset multiplot")
        script_path = os.path.join(work, "plot.gp")
        with open(script_path, "w", encoding="utf-8") as file:
            file.write("\n".join(script) + "\n")
        done = subprocess.run([gnuplot, script_path], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"gnuplot failed (status {done.returncode}): {done.stderr.strip()}")
