"""A user's typed script passes `mypy --strict`, and runs as the README says."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("mypy")

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "tests" / "typed_user_script.py"


def test_typed_user_script_passes_mypy_strict_and_a_wrong_call_does_not(tmp_path):
    # An installed gdbook is read from site-packages (py.typed), where mypy checks the user's
    # code against gdbook's annotations without reporting gdbook's own internals. The
    # editable install here hides the package behind an import hook mypy cannot follow, so
    # the package is put on MYPYPATH and its internals are followed silently: the same view.
    # A second file with a wrong call shows the check is not vacuous (one mypy run for both).
    bad = tmp_path / "bad.py"
    bad.write_text("from gdbook import BatchGD, Trainer\n\nTrainer(BatchGD(), epochs='ten')\n")
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--follow-imports=silent",
         "--cache-dir", str(tmp_path / "cache"), str(SCRIPT), str(bad)],
        cwd=ROOT, env={**os.environ, "MYPYPATH": str(ROOT)},
        capture_output=True, text=True, timeout=300, check=False,
    )
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    assert errors == [
        f'{bad}:3: error: Argument "epochs" to "Trainer" has incompatible type "str"; '
        f'expected "int"  [arg-type]'
    ], result.stdout + result.stderr


def test_typed_user_script_runs_with_validation_data_and_a_progress_bar():
    result = subprocess.run([sys.executable, str(SCRIPT)], cwd=ROOT, capture_output=True,
                            text=True, timeout=300, check=True)
    assert "epoch" in result.stderr and "val_loss=" in result.stderr  # the bar, on stderr
    assert "converged" in result.stderr
    assert result.stdout.startswith(tuple(f"{n} epochs" for n in range(1, 201)))
    assert "GDRegressor: coef" in result.stdout
