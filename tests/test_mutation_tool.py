"""The mutation tool's bookkeeping (mutation/package.py): names, reasons and the score.

The score decides whether issue 13's target is met, so it is checked here on made-up verdicts:
equivalent mutants leave the denominator, accepted ones stay in it, each survivor takes the
first reason that matches its function and its added lines, and a reason that explains
nothing is reported as stale.
"""

from __future__ import annotations

import pytest

# mutmut does not copy mutation/ into its run, where these tests skip
package = pytest.importorskip("mutation.package")
Mutant = package.Mutant


@pytest.mark.parametrize(("name", "function"), [
    ("gdbook.divergence.x_variance__mutmut_3", "gdbook.divergence.variance"),
    ("gdbook.callbacks.xǁRunǁhistory__mutmut_12", "gdbook.callbacks.Run.history"),
    ("gdbook._validation.x__describe__mutmut_1", "gdbook._validation._describe"),
    ("docs.figures.x_figure_html__mutmut_40", "docs.figures.figure_html"),
])
def test_mutmut_names_read_as_the_functions_they_mutate(name, function):
    assert package.readable(name) == function


def survivor(name, added, status="survived"):
    mutant = Mutant(name, status, package.readable(name))
    mutant.diff = f"-    old line\n+{added}"
    return mutant


def test_each_survivor_takes_the_first_reason_matching_its_function_and_added_lines(monkeypatch):
    mutants = [
        survivor("gdbook.a.x_f__mutmut_1", "    return x * 1"),
        survivor("gdbook.a.x_f__mutmut_2", "    return x + 1"),
        survivor("gdbook.a.x_g__mutmut_1", "    return x * 1"),
        Mutant("gdbook.a.x_f__mutmut_3", "killed", "gdbook.a.f"),
    ]
    diffs = {m.name: m.diff for m in mutants}
    monkeypatch.setattr(package, "diff", diffs.__getitem__)
    entries = [
        {"function": "gdbook.a.f", "match": r"x \* 1", "kind": "equivalent", "reason": "times one"},
        {"function": "gdbook.a.*", "match": r"\+ 1", "kind": "accepted", "reason": "plus one"},
        {"function": "gdbook.b.*", "kind": "accepted", "reason": "explains nothing"},
    ]
    stale = package.explain(mutants, entries)
    assert [(m.kind, m.reason) for m in mutants] == [
        ("equivalent", "times one"), ("accepted", "plus one"), (None, None), (None, None)]
    assert stale == [entries[2]]


def test_the_score_leaves_out_equivalent_mutants_and_keeps_accepted_ones():
    mutants = [Mutant(f"gdbook.m.x_f__mutmut_{i}", "killed") for i in range(16)]
    mutants += [Mutant("gdbook.m.x_f__mutmut_16", "timeout"),
                Mutant("gdbook.m.x_f__mutmut_17", "segfault")]
    equivalent = Mutant("gdbook.m.x_f__mutmut_18", "survived", kind="equivalent", reason="r")
    accepted = Mutant("gdbook.m.x_f__mutmut_19", "survived", kind="accepted", reason="r")
    unexplained = Mutant("gdbook.m.x_f__mutmut_20", "no tests")
    helper = [Mutant("docs.figures.x_g__mutmut_1", "killed"),
              Mutant("docs.figures.x_g__mutmut_2", "survived")]
    summary = package.summary([*mutants, equivalent, accepted, unexplained, *helper], [])
    assert summary["score"] == 18 / 20  # 18 detected of the 20 non-equivalent package mutants
    assert summary["parts"]["gdbook"] == {"total": 21, "detected": 18, "equivalent": 1,
                                          "score": 18 / 20}
    assert summary["parts"]["docs"]["score"] == 1 / 2  # scored beside it, not in the target
    assert summary["counts"]["unexplained"] == 2  # the package's "no tests" and the helper's
    assert {s["name"] for s in summary["survivors"]} == {
        equivalent.name, accepted.name, unexplained.name, helper[1].name}


def test_a_reason_needs_a_kind_and_words(tmp_path, monkeypatch):
    path = tmp_path / "survivors.toml"
    path.write_text('[[survivor]]\nfunction = "gdbook.a.f"\nkind = "fine"\nreason = "r"\n')
    monkeypatch.setattr(package, "SURVIVORS", path)
    with pytest.raises(ValueError, match="kind \\(equivalent or accepted\\) and a reason"):
        package.reasons()
