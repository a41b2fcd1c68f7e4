"""The measurements: each group returns rows of the results table (plain dicts, saved as JSON)."""

from __future__ import annotations

import statistics

import numpy as np

from benchmarks import competitors as other
from benchmarks.measure import (
    alternate,
    data,
    fit_seconds,
    median_ratio,
    peak_memory,
    read_seconds,
    seconds_per_epoch,
)
from gdbook import BatchGD, MiniBatchGD, StochasticGD
from gdbook._fast import numba_kernels


class Skipped(Exception):
    """A group that cannot run here (a missing package); the message says why."""


def numba_in_use() -> bool:
    return numba_kernels(np.dtype(np.float64)) is not None


def row(group, case, ours, other_name, other_value, ratio, unit, target=None, note="",
        better="higher", **extra):
    """One line of the table; `ratio` meets `target` when it is at least (or at most) it.

    `extra` adds measurements that the book's page reads (e.g. `read_ms`).
    """
    met = None if target is None else bool(ratio >= target if better == "higher" else
                                           ratio <= target)
    return {
        "group": group, "case": case, "gdbook": ours, "vs": other_name, "other": other_value,
        "unit": unit, "ratio": ratio, "target": target, "better": better, "met": met,
        "note": note, **extra,
    }


def sgd_vs_sklearn(quick: bool) -> list[dict]:
    """One epoch of one-sample SGD, n = 1e5: gdbook's fit against SGDRegressor's fit."""
    rows, n, rounds = [], 100_000, 5 if quick else 15
    try:
        import sklearn  # noqa: F401
    except ImportError:
        raise Skipped("scikit-learn is not installed (pip install scikit-learn)") from None
    group = "stochastic vs scikit-learn"
    note = "the whole fit as a user times it: model, input checks, losses, row order, epoch"
    for d in (1, 10):
        for features in ("uniform", "gaussian"):
            X, y = data(n, d, features)
            t = alternate({
                "gdbook": lambda X=X, y=y: fit_seconds(StochasticGD(learning_rate=0.01), X, y),
                "sklearn": lambda X=X, y=y: other.sklearn_sgd_epoch(X, y, 0.01, seed=0),
            }, rounds)
            mrows = {name: n / statistics.median(times) / 1e6 for name, times in t.items()}
            rows.append(row(group, f"n=1e5 d={d}, {features} features", mrows["gdbook"],
                            "SGDRegressor", mrows["sklearn"],
                            median_ratio(t["sklearn"], t["gdbook"]), "M rows/s", 2.0, note))
        if not quick:  # without numba: the one-feature scan, or the readable loop
            X, y = data(n, d)
            t = alternate({
                "numpy": lambda X=X, y=y: fit_seconds(StochasticGD(learning_rate=0.01), X, y,
                                                      mode="numpy"),
                "sklearn": lambda X=X, y=y: other.sklearn_sgd_epoch(X, y, 0.01, seed=0),
            }, 5 if d == 1 else 2)
            mrows = {name: n / statistics.median(times) / 1e6 for name, times in t.items()}
            rows.append(row(group, f"n=1e5 d={d}, uniform features, pure numpy", mrows["numpy"],
                            "SGDRegressor", mrows["sklearn"],
                            median_ratio(t["sklearn"], t["numpy"]), "M rows/s", 2.0,
                            "GDBOOK_FAST=numpy" + ("" if d == 1 else ": the readable loop")))
    return rows


def minibatch_vs_loops(quick: bool) -> list[dict]:
    """Mini-batch epochs, n = 1e6: gdbook's shuffled epoch against the article's loop and torch."""
    rows, n, rounds = [], 1_000_000, 2 if quick else 3
    use_torch = other.torch_available()
    for d in (1, 10) if quick else (1, 10, 100):
        X, y = data(n, d)
        for bs in (10, 256):
            steps = 5000 if bs == 10 else 500  # the loops run part of an epoch: rows/s is the same
            epochs: list[float] = []  # History.time of the shuffled fits
            runs = {
                "gdbook": lambda X=X, y=y, bs=bs, e=epochs: fit_seconds(
                    MiniBatchGD(batch_size=bs, learning_rate=0.01), X, y, epoch_seconds=e),
                "in order": lambda X=X, y=y, bs=bs: fit_seconds(
                    MiniBatchGD(batch_size=bs, learning_rate=0.01), X, y, shuffle=False),
                "article": lambda X=X, y=y, bs=bs, s=steps: other.article_loop(X, y, bs, 0.01, s),
            }
            if use_torch:
                runs["torch"] = lambda X=X, y=y, bs=bs, s=steps // 5: other.torch_loop(
                    X, y, bs, 0.01, s, seed=0)
            if not quick:
                runs["numpy"] = lambda X=X, y=y, bs=bs: fit_seconds(
                    MiniBatchGD(batch_size=bs, learning_rate=0.01), X, y, mode="numpy")
            t = alternate(runs, rounds)
            work = {"gdbook": n, "in order": n, "numpy": n, "article": steps * bs,
                    "torch": steps // 5 * bs}
            rate = {k: [work[k] / s for s in v] for k, v in t.items()}
            med = {k: statistics.median(v) / 1e6 for k, v in rate.items()}
            target = 15.0 if bs == 10 else None
            group = "mini-batch vs the article's loop"
            rows.append(row(group, f"n=1e6 d={d} batch={bs}, in order", med["in order"],
                            "article loop", med["article"],
                            median_ratio(rate["in order"], rate["article"]), "M rows/s", target,
                            "shuffle=False: the article's rows in the article's order"))
            rows.append(row(group, f"n=1e6 d={d} batch={bs}", med["gdbook"], "article loop",
                            med["article"], median_ratio(rate["gdbook"], rate["article"]),
                            "M rows/s", target, "shuffled (the default): also draws a "
                            "permutation and reads rows in random order"))
            if bs == 10:  # where the fit's time goes: the epoch, and reading X
                epoch_rate = [n / s for s in epochs[1:]]  # without the warm-up run
                read_ms = min(read_seconds(X) for _ in range(3)) * 1e3
                rows.append(row(group, f"n=1e6 d={d} batch={bs}, the epoch alone",
                                statistics.median(epoch_rate) / 1e6, "article loop",
                                med["article"], median_ratio(epoch_rate, rate["article"]),
                                "M rows/s", None,
                                f"History.time of the shuffled fits: the steps, without the input "
                                f"check and the two full-data losses; reading X once takes "
                                f"{read_ms:.3g} ms here, and the fit reads it three times besides "
                                f"the epoch", read_ms=read_ms))
            if "numpy" in rate:
                rows.append(row(group, f"n=1e6 d={d} batch={bs}, pure numpy", med["numpy"],
                                "article loop", med["article"],
                                median_ratio(rate["numpy"], rate["article"]), "M rows/s", target,
                                "GDBOOK_FAST=numpy" + ("" if d == 1 else ": the readable loop")))
            if "torch" in rate:
                rows.append(row("mini-batch vs torch", f"n=1e6 d={d} batch={bs}",
                                med["gdbook"], "torch DataLoader loop", med["torch"],
                                median_ratio(rate["gdbook"], rate["torch"]), "M rows/s"))
    return rows


def batch_vs_bandwidth(quick: bool) -> list[dict]:
    """Batch GD, n = 1e6: seconds per epoch against reading X once at the measured read rate."""
    rows, n = [], 1_000_000
    for d in (10,) if quick else (10, 100):
        X, y = data(n, d)
        epochs = 20 if d == 10 else 6
        modes = {"gdbook": None, "readable": "off"}
        if not quick:
            modes["numpy"] = "numpy"
        runs = {"read": lambda X=X: min(read_seconds(X) for _ in range(5))}
        for name, mode in modes.items():
            runs[name] = lambda X=X, y=y, mode=mode, e=epochs: seconds_per_epoch(
                BatchGD(learning_rate=0.01), X, y, epochs=e if mode != "off" else 3, mode=mode)
        t = alternate(runs, 2 if quick else 3)
        read = min(t["read"])
        limit_ms = read * 1e3
        note = (f"limit = {X.nbytes / 1e6:.0f} MB of X read once at "
                f"{X.nbytes / read / 1e9:.1f} GB/s")
        for name, label in (("gdbook", ""), ("numpy", ", pure numpy"),
                            ("readable", ", readable loop")):
            if name in t:
                step_ms = statistics.median(t[name]) * 1e3
                rows.append(row("batch GD vs memory bandwidth", f"n=1e6 d={d}{label}", step_ms,
                                "bandwidth limit", limit_ms, limit_ms / step_ms, "ms per step",
                                0.7 if d == 10 else None, note))
    return rows


def memory(quick: bool) -> list[dict]:
    """Peak memory of `fit` (X plus everything training allocates) over the size of X."""
    rows, n = [], 1_000_000
    variants = {
        "batch": BatchGD(learning_rate=0.01),
        "stochastic": StochasticGD(learning_rate=0.01),
        "mini-batch 10": MiniBatchGD(batch_size=10, learning_rate=0.01),
        "mini-batch 256": MiniBatchGD(batch_size=256, learning_rate=0.01),
    }
    for d in (10,) if quick else (10, 1):
        X, y = data(n, d)
        for name, optimizer in variants.items():
            cases = [("", None)]
            if not quick and name in ("batch", "mini-batch 256"):
                cases.append((", readable loop", "off"))
            for label, mode in cases:
                extra = peak_memory(optimizer, X, y, mode=mode)
                ratio = (X.nbytes + extra) / X.nbytes
                note = f"{extra / 1e6:.1f} MB allocated at the peak"
                if d == 1 and name != "batch":
                    note += "; the row order (n int32) alone is half the size of X"
                rows.append(row("peak memory", f"{name}, n=1e6 d={d}{label}", (X.nbytes + extra)
                                / 1e6, "size of X", X.nbytes / 1e6, ratio, "MB", 1.15, note,
                                better="lower"))
    return rows
