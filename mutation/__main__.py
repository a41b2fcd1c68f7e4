"""`python -m mutation [--package | --pages] [--resume | --recheck | --report] [--max-children N]`.

Runs the package mutants (mutmut), the page mutants (pages.toml), or both (the default),
prints a summary and writes mutation/results/latest.json. `--report` only re-reads
mutmut's last verdicts and survivors.toml (after editing reasons, say) and rewrites the
package part of the record; `--resume` continues an interrupted mutmut run instead of
starting from a fresh copy; `--recheck` resumes and also runs the last survivors again, for
after tests were added (verdicts of code that did not change stand).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from importlib.metadata import version
from pathlib import Path

from mutation import package, pages

RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"
TARGET = 0.90
"""Share of the non-equivalent mutants of gdbook/ the tests must kill (issue 13)."""


def commit() -> str | None:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, check=True, cwd=RESULTS.parent).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "gdbook", "docs", "tests"],
                               capture_output=True, text=True, check=True,
                               cwd=RESULTS.parent).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return f"{head}+changes" if dirty else head


def print_package(record: dict) -> None:
    print()
    for part, p in record["parts"].items():
        what = "package" if part == "gdbook" else f"{part}/ (the book's helpers)"
        target = (f" (target {TARGET:.0%}: {'met' if p['score'] >= TARGET else 'NOT MET'})"
                  if part == "gdbook" else "")
        print(f"{what}: {p['detected']} of {p['total']} mutants killed, {p['equivalent']} "
              f"equivalent: score {p['score']:.1%} of the non-equivalent{target}")
    for kind in ("accepted", None):
        survivors = [s for s in record["survivors"] if s["kind"] == kind]
        if survivors:
            print(f"\n{len(survivors)} {kind or 'UNEXPLAINED'} survivor(s):")
        for s in survivors:
            print(f"  {s['name']} ({s['status']})" + (f": {s['reason']}" if s["reason"] else ""))
            if kind is None:
                print("    " + s["diff"].replace("\n", "\n    "))
    for entry in record["stale_reasons"]:
        print(f"stale reason in survivors.toml (explains no survivor): {entry}")


def print_pages(records: list[dict]) -> None:
    killed = sum(r["killed"] for r in records)
    print(f"\npages: {killed} of {len(records)} page mutants killed")
    for r in records:
        print(f"  {r['id']}: {'killed by ' + r['by'] if r['killed'] else 'SURVIVED'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mutation",
                                     description=__doc__.split("\n\n")[1])
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--package", action="store_true", help="package mutants only")
    which.add_argument("--pages", action="store_true", help="page mutants only")
    parser.add_argument("--resume", action="store_true", help="continue mutmut's last run")
    parser.add_argument("--recheck", action="store_true",
                        help="resume, and run the last run's survivors again (after new tests)")
    parser.add_argument("--report", action="store_true",
                        help="no run: re-read mutmut's verdicts and the reasons")
    parser.add_argument("--max-children", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--only", metavar="REGEX", help="page mutants whose id matches")
    args = parser.parse_args(argv)
    record = json.loads(RESULTS.read_text("utf-8")) if RESULTS.exists() else {}
    start = time.perf_counter()
    if not args.pages:
        if args.recheck:
            package.run(args.max_children, fresh=False)  # changed code: its mutants anew
            survivors = [m.name for m in package.results() if m.status not in package.DETECTED]
            if survivors:  # and the survivors again, against the tests as they are now
                package.run(args.max_children, fresh=False, names=survivors)
        elif not args.report:
            package.run(args.max_children, fresh=not args.resume)
        mutants = package.results()
        stale = package.explain(mutants, package.reasons())
        record["package"] = {"tool": f"mutmut {version('mutmut')}",
                             **package.summary(mutants, stale)}
        print_package(record["package"])
    if not args.package and not args.report:
        runs = pages.run(args.only)
        ids = {r["id"] for r in runs}  # with --only, keep the other mutants' last records
        order = [entry["id"] for entry in pages.mutants()]
        record["pages"] = sorted(
            [r for r in record.get("pages", []) if r["id"] not in ids] + runs,
            key=lambda r: order.index(r["id"]) if r["id"] in order else len(order))
        print_pages(record["pages"])
    record.update({
        "date": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        "commit": commit(),
        "versions": {"python": platform.python_version(), "mutmut": version("mutmut"),
                     "numpy": version("numpy")},
        "machine": {"cpu": platform.machine(), "cores": os.cpu_count()},
        "max_children": args.max_children,
        "target": TARGET,
    })
    if not args.report:
        record["seconds"] = round(time.perf_counter() - start)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n", "utf-8")
    print(f"\nwrote {RESULTS}")
    met = record.get("package", {}).get("score", 1.0) >= TARGET
    survived_pages = any(not r["killed"] for r in record.get("pages", []))
    return 0 if met and not survived_pages else 1


if __name__ == "__main__":
    sys.exit(main())
