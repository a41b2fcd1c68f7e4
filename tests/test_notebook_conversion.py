"""The pieces of docs/notebooks.py that turn a page into a notebook, on small inputs."""

from __future__ import annotations

import ast
import sys

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "docs"))
notebooks = pytest.importorskip("notebooks")

PAGE = '''# Title {#top}

Intro with a [link](other.md#part), an [anchor](#top) and [`Trainer`][gdbook.Trainer].

!!! note "A note"

    Inside the note.

    ```python exec="on" session="s" id="inner"
    x = 1
    print(x)
    ```

    After the block.

=== "Tab"

    Tab body.

```python title="shown.py"
print("not executed")
```

```{.python exec="1" html="on"}
print("<b>hi</b>")
```
'''


def test_a_page_splits_into_markdown_and_the_executed_blocks_in_order() -> None:
    segments = notebooks.split_page(PAGE)
    code = [s for s in segments if isinstance(s, notebooks.Code)]
    assert [c.source for c in code] == ["x = 1\nprint(x)", 'print("<b>hi</b>")']
    assert code[0].options == {"exec": "on", "session": "s", "id": "inner"}
    assert code[1].options == {"exec": "1", "html": "on"}
    text = [s for s in segments if isinstance(s, str)]
    assert text[0].startswith("# Title\n")  # the attribute list is gone
    assert "> **A note**\n>\n> Inside the note.\n" in text[0]
    assert "> After the block." in text[1]
    assert "**Tab**\n" in text[1] and "\nTab body.\n" in text[1]
    # a fence that is not executed stays Markdown, with its title above it
    assert '*shown.py*\n\n```python\nprint("not executed")\n```' in text[1]


def test_links_are_made_absolute_and_code_is_left_alone() -> None:
    def resolve(target: str) -> str | None:
        return {
            "other.md#part": "https://book/other/#part",
            "#top": "https://book/page/#top",
            "autorefs:gdbook.Trainer": "https://book/api/#gdbook.Trainer",
        }.get(target)

    text = (
        "See [link](other.md#part), [anchor](#top), [`Trainer`][gdbook.Trainer] and "
        "`[not](a-link.md)`.\n```\n[also](not.md)\n```\n"
    )
    assert notebooks.rewrite_links(text, resolve, set()) == (
        "See [link](https://book/other/#part), [anchor](https://book/page/#top), "
        "[`Trainer`](https://book/api/#gdbook.Trainer) and `[not](a-link.md)`.\n"
        "```\n[also](not.md)\n```\n"
    )
    # a reference defined on the page is not an autorefs link
    assert notebooks.rewrite_links("[x][gdbook.Trainer]", resolve, {"gdbook.trainer"}) == (
        "[x][gdbook.Trainer]"
    )


def test_an_html_block_displays_what_it_prints() -> None:
    code = 'def f():\n    return "<p>图</p>"\n\n\nprint(f"{f()}" + "（说明）",\n      )\n'
    shown = notebooks.as_display(code)
    assert shown == (
        "from IPython.display import HTML, display\n\n"
        'def f():\n    return "<p>图</p>"\n\n\ndisplay(HTML(f"{f()}" + "（说明）"))\n'
    )
    ast.parse(shown)
    # one print that runs once, even inside an `if`
    assert notebooks.as_display("if True:\n    print(1)\n").endswith("    display(HTML(1))\n")
    # printing in any other way is left as it is: the notebook shows it as text
    assert notebooks.as_display("for i in range(2):\n    print(i)\n") is None
    assert notebooks.as_display("def f():\n    print(1)\n\n\nf()\n") is None
    assert notebooks.as_display('print("a")\nprint("b")\n') is None


def test_a_file_cell_writes_the_file_back_exactly(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    for content in ['plain "text"\n', "ends with a backslash \\", "has '''triple''' quotes\n"]:
        cell = notebooks._write_file_cell("data/file.txt", content, "why")
        exec(compile(cell, "cell", "exec"), {})
        assert (tmp_path / "data" / "file.txt").read_text(encoding="utf-8") == content


def test_imports_are_found_at_any_depth() -> None:
    code = "import numpy as np\nfrom figures import figure_html\n"
    code += "def f():\n    import json.decoder\n    from . import nothing\n"
    assert notebooks.imported_modules(code) == {"numpy", "figures", "json"}


def test_interactive_html_is_replaced_by_a_link_and_static_html_is_kept() -> None:
    page = (
        '<div class="widget" id="play" markdown="0">\n<div>\n<input type="range">\n</div>\n'
        "<script src=\"x.js\"></script>\n</div>\n\nAfter.\n\n<div>static <b>table</b></div>\n"
    )
    (text,) = notebooks.split_page(page)
    assert "<input" not in text and "<script" not in text
    assert "[网页上的这一节](#play)" in text
    assert text.index("[网页上的这一节]") < text.index("After.")
    assert "<div>static <b>table</b></div>" in text
