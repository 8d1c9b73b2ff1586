"""Order statistics over the figures of successful runs."""

import math

PERCENTILES = (50, 90, 99)


def nearest_rank(sorted_values, percent):
    """The nearest-rank percentile: a value that was actually observed.

    With n values, pP is the ceil(P/100 * n)-th smallest; so with 50 runs p99
    is the largest value and p90 the 45th.
    """
    if not sorted_values:
        return None
    rank = max(1, math.ceil(percent / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def summarize(values):
    """{n, min, p50, p90, p99, max, mean} of a list of numbers (None when empty)."""
    ordered = sorted(values)
    summary = {"n": len(ordered)}
    if not ordered:
        summary.update({"min": None, "max": None, "mean": None})
        summary.update({f"p{p}": None for p in PERCENTILES})
        return summary
    summary["min"] = ordered[0]
    for p in PERCENTILES:
        summary[f"p{p}"] = nearest_rank(ordered, p)
    summary["max"] = ordered[-1]
    summary["mean"] = sum(ordered) / len(ordered)
    return summary
