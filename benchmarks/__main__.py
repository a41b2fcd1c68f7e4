"""`python -m benchmarks [--quick] [--out FILE] [--compare OLD.json]`: run, print, save."""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from benchmarks import book, playground, suite

RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"
GROUPS = {"sgd": suite.sgd_vs_sklearn, "minibatch": suite.minibatch_vs_loops,
          "batch": suite.batch_vs_bandwidth, "memory": suite.memory,
          "playground": playground.redraw}


def versions() -> dict:
    found = {"python": platform.python_version(), "numpy": np.__version__}
    for name in ("numba", "sklearn", "torch", "mkdocs"):
        try:
            found[name] = __import__(name).__version__
        except ImportError:
            found[name] = None
    return found


def commit() -> str | None:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, check=True, cwd=RESULTS.parent).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def fmt(value) -> str:
    if value is None:
        return ""
    return f"{value:.3g}" if abs(value) < 1000 else f"{value:.0f}"


def table(rows: list[dict]) -> str:
    lines = [f"{'group':<32} {'case':<38} {'gdbook':>8} {'other':>8} {'unit':<11} "
             f"{'ratio':>7} {'target':>7}  met"]
    for r in rows:
        sign = ">=" if r["better"] == "higher" else "<="
        target = f"{sign}{r['target']:g}" if r["target"] is not None else ""
        met = {True: "yes", False: "NO", None: ""}[r["met"]]
        lines.append(f"{r['group']:<32} {r['case']:<38} {fmt(r['gdbook']):>8} "
                     f"{fmt(r['other']):>8} {r['unit']:<11} {fmt(r['ratio']):>7} {target:>7}  "
                     f"{met}")
    return "\n".join(lines)


def compare(rows: list[dict], old_path: Path) -> str:
    old = {(r["group"], r["case"]): r for r in json.loads(old_path.read_text())["rows"]}
    lines = [f"\nchange against {old_path} ({'gdbook' } figure, new / old):"]
    for r in rows:
        before = old.get((r["group"], r["case"]))
        if before and before["gdbook"] and r["gdbook"]:
            lines.append(f"  {r['group']:<32} {r['case']:<38} {r['gdbook'] / before['gdbook']:.2f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer rounds and sizes (< 1 min)")
    parser.add_argument("--out", type=Path, default=RESULTS, help=f"JSON file (default {RESULTS})")
    parser.add_argument("--compare", type=Path, help="an earlier JSON file to compare against")
    parser.add_argument("--only", nargs="+", choices=[*GROUPS, "book"],
                        help="run only these groups")
    args = parser.parse_args(argv)

    start = time.perf_counter()
    print(f"gdbook benchmarks ({'quick' if args.quick else 'full'}); compiled kernels (numba): "
          f"{'yes' if suite.numba_in_use() else 'no'}", flush=True)
    rows, skipped = [], []
    chosen = args.only or [*GROUPS, "book"]
    for name, group in GROUPS.items():
        if name in chosen:
            print(f"  {group.__doc__.splitlines()[0]}", flush=True)
            try:
                rows += group(args.quick)
            except suite.Skipped as reason:
                skipped.append(f"{name}: {reason}")
    if "book" not in chosen:
        skipped.append("book: not chosen (--only)")
    else:
        print("  The book: mkdocs build --strict", flush=True)
        book_rows, reason = book.book_build(args.quick)
        rows += book_rows
        if reason:
            skipped.append(f"book: {reason}")
    elapsed = time.perf_counter() - start

    print()
    print(table(rows))
    for reason in skipped:
        print(f"skipped {reason}")
    missed = [r for r in rows if r["met"] is False]
    print(f"\n{sum(r['met'] is True for r in rows)} targets met, {len(missed)} missed; "
          f"{elapsed:.0f} s")
    if args.compare:
        print(compare(rows, args.compare))

    result = {
        "date": time.strftime("%Y-%m-%d %H:%M:%S %z"), "commit": commit(), "quick": args.quick,
        "numba_in_use": suite.numba_in_use(), "versions": versions(),
        "machine": {"cpu": platform.processor() or platform.machine(), "cores": _cores()},
        "seconds": elapsed, "skipped": skipped, "rows": rows,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


def _cores() -> int | None:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


if __name__ == "__main__":
    sys.exit(main())
