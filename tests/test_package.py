"""The public surface: one import, documented names, and a README example that tells the truth."""

import contextlib
import inspect
import io
import re
from pathlib import Path

import pytest

import gdbook

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("name", gdbook.__all__)
def test_every_public_name_is_documented_with_a_runnable_example(name):
    obj = getattr(gdbook, name)
    doc = inspect.getdoc(obj)
    assert doc, f"{name} has no docstring"
    assert "Examples:" in doc, f"{name} has no Examples: section"
    assert ":class:" not in doc and ":func:" not in doc, "Sphinx roles render as literal text"
    if not (inspect.isclass(obj) and issubclass(obj, Exception)):
        for param in inspect.signature(obj).parameters:
            assert f"{param}:" in doc, f"{name} does not document {param!r} under Args:"


def test_readme_example_runs_and_prints_what_it_says():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    code = re.search(r"```python\n(.*?)```", readme, re.S).group(1)
    assert re.search(r"^# loss near 0.01 .*weight near 2, bias near 1$", code, re.M)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), {})
    numbers = re.fullmatch(r"loss (\S+), weight (\S+), bias (\S+)", out.getvalue().strip())
    loss, weight, bias = map(float, numbers.groups())
    assert abs(loss - 0.01) < 0.002 and abs(weight - 2) < 0.05 and abs(bias - 1) < 0.05


def test_readme_commands_are_what_ci_runs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    test_cmd = re.search(r"<!-- test-command -->\n```bash\n(.*?)\n```", readme, re.S).group(1)
    assert "pytest" in test_cmd and "pip install" in test_cmd
    assert "test-command" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    main_cmd = re.search(r"<!-- main-command -->\n```bash\n(.*?)\n```", readme, re.S).group(1)
    assert "mkdocs serve" in main_cmd
