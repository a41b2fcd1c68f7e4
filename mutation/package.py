"""Package mutants: run mutmut (configured in pyproject.toml), read its verdicts, explain survivors.

mutmut 3 writes every mutated function next to the original in `mutants/` and switches
between them at run time (a "trampoline"); it records which tests reach each function and
runs only those tests for that function's mutants, stopping at the first failure.
"""

from __future__ import annotations

import fnmatch
import re
import shutil
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
SURVIVORS = Path(__file__).resolve().parent / "survivors.toml"
MUTMUT = [sys.executable, "-m", "mutmut"]
DETECTED = {"killed", "timeout", "segfault", "caught by type check"}


@dataclass
class Mutant:
    name: str  # mutmut's name, e.g. gdbook.divergence.x_variance__mutmut_3
    status: str  # killed, survived, no tests, timeout, ...
    function: str = ""  # readable, e.g. gdbook.divergence.variance
    diff: str = ""  # for the survivors: what changed
    kind: str | None = None  # equivalent or accepted, from survivors.toml
    reason: str | None = None


def readable(name: str) -> str:
    """`gdbook.callbacks.xǁRunǁhistory__mutmut_3` -> `gdbook.callbacks.Run.history`."""
    module, _, mangled = name.rpartition(".")
    function = re.sub(r"__mutmut_\d+$", "", mangled)
    function = function.replace("ǁ", ".").removeprefix("x.").removeprefix("x_")
    return f"{module}.{function}"


def run(max_children: int, *, fresh: bool, names: list[str] = ()) -> None:
    """Run mutmut from the repository root (a fresh `mutants/` unless resuming).

    Resuming keeps the verdicts of mutants whose function did not change; the mutants in
    `names` are run again (with the tests as they are now) whatever their last verdict.
    """
    if fresh:
        shutil.rmtree(ROOT / "mutants", ignore_errors=True)
    subprocess.run([*MUTMUT, "run", "--max-children", str(max_children), *names], cwd=ROOT,
                   check=True)


def results() -> list[Mutant]:
    """Every mutant with mutmut's verdict (`mutmut results --all true`)."""
    out = subprocess.run([*MUTMUT, "results", "--all", "true"], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout
    mutants = []
    for line in out.splitlines():
        name, sep, status = line.strip().rpartition(": ")
        if sep and "__mutmut_" in name:
            mutants.append(Mutant(name, status, readable(name)))
    if not mutants:
        raise RuntimeError(f"mutmut reported no mutants; its output was:\n{out}")
    return mutants


def diff(name: str) -> str:
    """The changed lines of one mutant (`mutmut show`), without the file headers."""
    out = subprocess.run([*MUTMUT, "show", name], cwd=ROOT, check=True, capture_output=True,
                         text=True).stdout
    return "\n".join(line for line in out.splitlines()
                     if line[:1] in "+-" and not line.startswith(("+++", "---")))


def reasons() -> list[dict]:
    """The entries of survivors.toml: function (glob), match (regex), kind, reason."""
    entries = tomllib.loads(SURVIVORS.read_text("utf-8")).get("survivor", [])
    for entry in entries:
        if entry.get("kind") not in ("equivalent", "accepted") or not entry.get("reason"):
            raise ValueError(f"survivors.toml: each entry needs kind (equivalent or accepted) "
                             f"and a reason, got {entry}")
    return entries


def explain(mutants: list[Mutant], entries: list[dict]) -> list[dict]:
    """Attach a reason to each survivor; return the entries that explain nothing (stale)."""
    used = [False] * len(entries)
    for mutant in mutants:
        if mutant.status in DETECTED:
            continue
        mutant.diff = diff(mutant.name)
        added = "\n".join(line[1:] for line in mutant.diff.splitlines() if line[0] == "+")
        for i, entry in enumerate(entries):
            if fnmatch.fnmatchcase(mutant.function, entry["function"]) and re.search(
                    entry.get("match", ""), added):
                mutant.kind, mutant.reason, used[i] = entry["kind"], entry["reason"], True
                break
    return [entry for entry, u in zip(entries, used, strict=True) if not u]


def summary(mutants: list[Mutant], stale: list[dict]) -> dict:
    """Counts, the score over the non-equivalent mutants, and the survivors with reasons."""
    detected = sum(m.status in DETECTED for m in mutants)
    equivalent = sum(m.kind == "equivalent" for m in mutants)
    survivors = [m for m in mutants if m.status not in DETECTED]
    counts = {"total": len(mutants), "detected": detected, "equivalent": equivalent,
              "accepted": sum(m.kind == "accepted" for m in survivors),
              "unexplained": sum(m.kind is None for m in survivors)}
    for status in sorted({m.status for m in mutants}):
        counts[status] = sum(m.status == status for m in mutants)
    parts = {}  # the target is the package's; the book's helper is scored beside it
    for part in sorted({m.name.partition(".")[0] for m in mutants}):
        mine = [m for m in mutants if m.name.partition(".")[0] == part]
        scored = [m for m in mine if m.kind != "equivalent" or m.status in DETECTED]
        parts[part] = {"total": len(mine), "detected": sum(m.status in DETECTED for m in mine),
                       "equivalent": len(mine) - len(scored),
                       "score": sum(m.status in DETECTED for m in scored) / len(scored)}
    return {
        "counts": counts,
        "score": parts["gdbook"]["score"],
        "parts": parts,
        "survivors": [asdict(m) for m in survivors],
        "stale_reasons": stale,
    }
