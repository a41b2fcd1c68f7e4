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
    claimed = re.search(r"^# (loss .*)$", code, re.M).group(1)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), {})
    assert out.getvalue().strip() == claimed


def test_readme_commands_are_what_ci_runs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    test_cmd = re.search(r"<!-- test-command -->\n```bash\n(.*?)\n```", readme, re.S).group(1)
    assert "pytest" in test_cmd and "pip install" in test_cmd
    assert "test-command" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    main_cmd = re.search(r"<!-- main-command -->\n```bash\n(.*?)\n```", readme, re.S).group(1)
    assert "mkdocs serve" in main_cmd
