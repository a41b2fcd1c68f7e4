"""The README's "Use it" section runs as written: validation data, progress bar, GDRegressor."""

import contextlib
import io
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def use_it_blocks() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Use it", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, re.S)


def test_use_it_examples_run_in_order_and_print_what_they_say():
    pytest.importorskip("sklearn")
    pytest.importorskip("tqdm")
    blocks = use_it_blocks()
    assert len(blocks) == 3
    namespace: dict = {}
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        for i, code in enumerate(blocks):
            exec(compile(code, f"README.md (Use it, block {i + 1})", "exec"), namespace)
    lines = out.getvalue().splitlines()
    stop_reason, best_epoch, best_val = lines[1].split()
    assert stop_reason == "converged"
    history = namespace["history"]
    assert int(best_epoch) == history.best_epoch == int(history.val_loss.argmin())
    assert float(best_val) == pytest.approx(history.val_loss.min(), rel=1e-6)
    assert "epoch/s" in err.getvalue() and "val_loss=" in err.getvalue()  # the bar
    r2 = float(re.fullmatch(r"R² (\S+)", lines[2]).group(1))
    assert 0.45 < r2 < 0.55  # exact least squares on all 442 rows: 0.518
