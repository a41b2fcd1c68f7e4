"""The built book, read from its HTML: article, table, pie, executed output, API reference.

Also: a copy of the book with a deliberately broken page must fail the strict build.
"""

from __future__ import annotations

import html
import inspect
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from html_tables import tables

import gdbook
from conftest import ROOT, build_book, copy_book_sources

pytestmark = pytest.mark.slow

CJK = "\u4e00-\u9fff"
PIE_SLICES = {"批量梯度下降法": 30, "随机梯度下降法": 50, "小批量梯度下降法": 20}
HYPERPARAMETERS = {"epochs": 100.0, "batch_size": 10.0, "learning_rate": 0.1}


# --- small HTML helpers (stdlib only) -------------------------------------------------


def text(fragment: str) -> str:
    """Visible text of an HTML fragment."""
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def code_blocks(page: str) -> list[str]:
    """Text of every `<pre><code>` block: shown sources and printed outputs alike."""
    return [text(m) for m in re.findall(r"<pre[^>]*>.*?<code[^>]*>(.*?)</code></pre>", page, re.S)]


def without_code(page: str) -> str:
    """The page with code, preformatted text and figures replaced by a placeholder word."""
    return re.sub(r"<pre.*?</pre>|<code.*?</code>|<svg.*?</svg>", "CODE", page, flags=re.S)


@pytest.fixture(scope="module")
def article(site: Path) -> str:
    return (site / "article" / "index.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def api(site: Path) -> str:
    return (site / "api" / "index.html").read_text(encoding="utf-8")


# --- the article ----------------------------------------------------------------------


def hyperparameter_table(article: str) -> dict[str, str]:
    (table,) = [t for t in tables(article) if t and t[0][:2] == ["参数名称", "取值"]]
    return {row[0]: row[1] for row in table[1:]}


def test_hyperparameter_table_rows_and_values(article: str) -> None:
    assert hyperparameter_table(article) == {
        "epochs": "100",
        "batch_size": "10",
        "learning_rate": "0.1",
    }


def test_table_matches_what_the_executed_examples_used(article: str) -> None:
    """The table and the settings of the executed programs must not drift apart."""
    table = {name: float(value) for name, value in hyperparameter_table(article).items()}
    blocks = code_blocks(article)

    # What the gdbook example printed from the Trainer and optimizer it actually ran.
    settings = re.compile(r"^epochs=(\S+), batch_size=(\S+), learning_rate=(\S+)$", re.M)
    (printed,) = [m.groups() for b in blocks for m in settings.finditer(b)]
    assert dict(zip(HYPERPARAMETERS, map(float, printed), strict=True)) == table

    # The article's own numpy program, as shown (and run) on the page.
    (program,) = [b for b in blocks if "for epoch in range(epochs):" in b]
    shown = {name: float(re.search(rf"^{name} = (\S+)$", program, re.M).group(1)) for name in table}
    assert shown == table == HYPERPARAMETERS


def test_mermaid_pie_has_the_three_slices_and_says_it_is_illustrative(article: str) -> None:
    (pie,) = [
        text(m) for m in re.findall(r'<pre class="mermaid"><code>(.*?)</code></pre>', article, re.S)
    ]
    assert pie.lstrip().startswith("pie")
    slices = {name: int(value) for name, value in re.findall(r'"([^"]+)"\s*:\s*(\d+)', pie)}
    assert slices == PIE_SLICES
    assert "示意" in pie  # the chart's own title
    assert "不代表任何统计" in text(article)


def test_executed_blocks_printed_real_losses(article: str) -> None:
    outputs = "\n".join(code_blocks(article))
    losses = [float(v) for v in re.findall(r"Loss: ([0-9.eE+-]+)", outputs)]
    # the numpy program, the gdbook example and the gdbook replay of the numpy program
    assert len(losses) == 3, losses
    assert all(0 < loss < 0.02 for loss in losses), losses
    assert re.search(r"与 numpy 程序的差: \d\.\de[+-]\d\d", outputs)
    assert "training diverged at epoch" in outputs  # the divergence demo really diverged
    assert "2 / λ_max = 0." in outputs
    assert "Traceback" not in text(article)


def test_comparison_table_was_computed(article: str) -> None:
    (table,) = [t for t in tables(article) if t and t[0][:2] == ["方法", "每轮更新次数"]]
    # columns: method, steps per epoch, loss, L − L*, last 20 epochs' min and max of L − L*,
    # epochs among the last 20 whose loss rose
    rows = {row[0]: row for row in table[1:]}
    assert {name: int(row[1]) for name, row in rows.items()} == {
        "批量": 1,
        "随机，η 固定": 100,
        "随机，η 按 1/t 衰减": 100,
        "小批量，k = 10": 10,
    }
    # The prose under the figure reads these numbers; they must still say the same thing.
    excess = {name: float(row[3]) for name, row in rows.items()}
    assert max(excess, key=excess.get) == "批量"  # at η = 0.1: fewest steps, furthest away
    assert excess["随机，η 固定"] > 10 * excess["随机，η 按 1/t 衰减"]  # hovers vs converges
    assert int(rows["批量"][6]) == 0  # batch GD only goes down: its spread is its trend
    fixed, decayed = rows["随机，η 固定"], rows["随机，η 按 1/t 衰减"]
    assert float(fixed[5]) > 10 * float(fixed[4])  # hovering spans an order of magnitude
    assert int(fixed[6]) >= 5
    assert float(decayed[5]) < float(fixed[4])  # decay: far smaller swings
    assert 100 * float(decayed[5]) < float(fixed[5])  # "orders of magnitude" smaller


def test_noise_floor_is_l_star_not_sigma_squared(article: str) -> None:
    """The article's program reaches L* of its own data, which is below the noise variance 0.01."""
    rng = np.random.default_rng(0)  # the article program's draws, in its order
    x = rng.random(100)
    y = 2 * x + 1 + rng.standard_normal(100) * 0.1
    A = np.c_[x, np.ones_like(x)]
    floor = np.mean((A @ np.linalg.lstsq(A, y, rcond=None)[0] - y) ** 2)
    outputs = "\n".join(code_blocks(article))
    shown = float(re.search(r"最小二乘解的损失 L\* = ([\d.]+)", outputs).group(1))
    assert shown == pytest.approx(floor, abs=1e-6) and floor < 0.01
    assert re.search(r"E\[L\*\] = 0\.1² × \(n − 2\)/n = 0\.0098", outputs)
    # "所以上面打印的损失低于 0.01 并不奇怪": the program's printed loss, not only L*.
    printed = re.findall(r"^Loss: ([0-9.eE+-]+)$", outputs, re.M)  # numpy program, then gdbook's
    assert len(printed) == 2 and floor <= float(printed[0]) < 0.01
    # "make_linear_data ... 生成的就是上面那份数据（逐位相同）"
    X, Y = gdbook.make_linear_data(n_samples=100, slope=2.0, intercept=1.0, noise=0.1, seed=0)
    assert np.array_equal(np.ravel(X), x) and np.array_equal(Y, y)


def test_per_batch_bounds_of_the_mini_batch_program(article: str) -> None:
    X, _ = gdbook.make_linear_data(n_samples=100, slope=2.0, intercept=1.0, noise=0.1, seed=0)
    bounds = []
    for i in range(0, 100, 10):
        A = np.c_[X[i : i + 10], np.ones(10)]
        bounds.append(2 / np.linalg.eigvalsh(2 / 10 * A.T @ A)[-1])
    outputs = "\n".join(code_blocks(article))
    low, high = map(float, re.search(r"最小 ([\d.]+)，最大 ([\d.]+)", outputs).groups())
    assert low == pytest.approx(min(bounds), abs=1e-4)
    assert high == pytest.approx(max(bounds), abs=1e-4)


def test_article_cites_precisely_and_flags_its_own_additions(article: str) -> None:
    body = without_code(article.split('<article class="md-content__inner', 1)[1])
    shown = text(body)
    assert "定理 2.1.14" in shown  # Nesterov's fixed-step theorem, not a line-search section
    assert "Boyd" not in shown and "Keskar" not in shown
    assert "第 8.3.1 节" in shown  # Robbins–Monro conditions in Goodfellow et al.
    assert "第 8.1.3 节" in shown  # "most deep-learning algorithms use minibatches"
    # Bottou et al. Theorem 4.6 bounds the excess loss; it does not say "proportional to η".
    theorem = shown.index("定理 4.6")
    assert "上界" in shown[theorem - 200 : theorem + 200]
    assert "没有写完" in shown  # the original's truncated last sentence is flagged
    assert "改动了两处" in shown and "唯一的改动" not in shown
    assert "\\frac{n - k}{k(n - 1)}" in html.unescape(article)  # the exact mini-batch variance
    assert "局部最小" not in shown  # one name for one thing: 局部极小


def test_loss_figure_is_an_inline_svg_with_chinese_labels_as_text(article: str) -> None:
    match = re.search(
        r'<figure class="gdbook-figure" id="loss-curves">(.*?)</figure>', article, re.S
    )
    assert match, "loss figure missing"
    svg = match.group(1)
    assert svg.lstrip().startswith("<svg")
    assert "<dc:date>" not in svg  # no build date: the figure is the same on every build
    assert svg.count("<path") > 20
    # Labels stay text, set by the browser in the page's fonts (docs/figures.py).
    labels = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    for label in ("轮数（epoch）", "按轮数看", "按更新次数看", "批量", "小批量，k = 10"):
        assert label in labels


def test_package_code_is_included_from_the_source_files(article: str) -> None:
    blocks = code_blocks(article)
    for path, marker in [
        ("gdbook/optimizers.py", "update"),
        ("gdbook/optimizers.py", "variants"),
        ("gdbook/batching.py", "batches"),
        ("gdbook/linear.py", "loss-grad"),
        ("gdbook/trainer.py", "epoch"),
    ]:
        source = (ROOT / path).read_text(encoding="utf-8")
        section = re.search(
            rf"# --8<-- \[start:{marker}\]\n(.*?)\n\s*# --8<-- \[end:{marker}\]", source, re.S
        ).group(1)
        first_line = section.strip().splitlines()[0].strip()
        assert any(first_line in b for b in blocks), f"{path}:{marker} not shown"


def test_math_is_left_for_katex(article: str) -> None:
    assert article.count('class="arithmatex"') > 20
    assert "\\frac{\\partial L}{\\partial w}" in html.unescape(article)


def test_headings_have_readable_chinese_anchors(article: str) -> None:
    ids = re.findall(r'<h[1-6] id="([^"]+)"', article)
    assert {
        "梯度下降法",
        "批量梯度下降法",
        "随机梯度下降法",
        "小批量梯度下降法",
        "学习率的上界",
    } <= set(ids)
    assert not [i for i in ids if re.fullmatch(r"_\d*", i)]


def test_no_stray_spaces_between_chinese_characters(article: str) -> None:
    """A line break inside a Chinese paragraph of the Markdown renders as a visible space."""
    body = without_code(article.split('<article class="md-content__inner', 1)[1])
    paragraphs = [text(p) for p in re.findall(r"<(?:p|li|td)>(.*?)</(?:p|li|td)>", body, re.S)]
    stray = [p for p in paragraphs if re.search(rf"[{CJK}，。；：、）”][ \n]+[{CJK}（“]", p)]
    assert not stray


def test_article_links_to_the_api_reference(article: str) -> None:
    for name in ("Trainer", "MiniBatchGD", "History", "max_stable_learning_rate"):
        assert f'href="../api/#gdbook.{name}"' in article


def test_search_index_is_segmented_for_chinese(site: Path) -> None:
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert index["config"]["lang"] == ["zh"]
    article_text = " ".join(
        d["text"] for d in index["docs"] if d["location"].startswith("article/")
    )
    assert "\u200b" in article_text  # jieba's word boundaries
    for word in ("批量", "梯度", "下降", "小批量", "学习"):
        assert f"\u200b{word}\u200b" in article_text, word


# --- the API reference ----------------------------------------------------------------


def api_section(api: str, name: str) -> str:
    start = api.index(f'id="gdbook.{name}"')
    following = re.search(r'id="gdbook\.[A-Za-z_]\w*"', api[start + 1 :])
    return api[start : start + 1 + following.start()] if following else api[start:]


@pytest.mark.parametrize("name", gdbook.__all__)
def test_every_public_name_is_documented_with_its_parameters(api: str, name: str) -> None:
    assert f'id="gdbook.{name}"' in api, f"{name} has no API entry"
    section = api_section(api, name)
    assert "doc-signature" in section or inspect.isclass(getattr(gdbook, name))
    # First column of the rendered Parameters / Attributes tables.
    documented = {row[0] for table in tables(section) for row in table[1:] if row}
    try:
        parameters = inspect.signature(getattr(gdbook, name)).parameters.values()
    except (TypeError, ValueError):  # pragma: no cover - builtins without a signature
        parameters = []
    for parameter in parameters:
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            continue
        assert parameter.name in documented, (
            f"parameter {parameter.name!r} of {name} is not in a rendered table"
        )


def test_docstrings_render_as_sections_not_raw_text(api: str) -> None:
    prose = text(without_code(api))
    for raw in ("Args:", "Returns:", "Raises:", "Attributes:", "Examples:", ":class:"):
        assert raw not in prose
    assert "&gt;&gt;&gt;" not in without_code(api)  # doctest lines are highlighted code
    assert api.count('class="language-pycon highlight"') >= len(gdbook.__all__) - 2


# --- offline: nothing is loaded from another host --------------------------------------


def test_pages_load_nothing_from_other_hosts(site: Path) -> None:
    fetched = re.compile(
        r'<(?:script[^>]*\ssrc|link[^>]*\shref|img[^>]*\ssrc|iframe[^>]*\ssrc)="([^"]+)"'
    )
    for page in site.rglob("*.html"):
        for tag in re.findall(
            r"<(?:script|link|img|iframe)\b[^>]*>", page.read_text(encoding="utf-8")
        ):
            if 'rel="canonical"' in tag or 'rel="alternate"' in tag:
                continue  # not fetched when reading
            for url in fetched.findall(tag):
                assert not re.match(r"(https?:)?//", url), f"{page}: {tag}"
    for css in site.rglob("*.css"):
        content = css.read_text(encoding="utf-8")
        assert not re.search(r"@import|url\(\s*['\"]?(https?:)?//", content), css


def test_vendored_libraries_are_served_and_recorded(site: Path) -> None:
    article = (site / "article" / "index.html").read_text(encoding="utf-8")
    for library, files in {
        "mermaid": ["mermaid.min.js"],
        "katex": ["katex.min.js", "katex.min.css", "fonts/KaTeX_Main-Regular.woff2"],
    }.items():
        vendor = ROOT / "docs" / "assets" / "vendor" / library
        record = dict(
            line.split("=", 1)
            for line in (vendor / "VERSION").read_text(encoding="utf-8").splitlines()
            if "=" in line and not line.startswith("#")
        )
        assert record["name"] == library
        assert re.fullmatch(r"\d+\.\d+\.\d+", record["version"])
        assert record["version"].startswith(record["range"] + ".")
        assert record["integrity"].startswith("sha512-")
        assert record["license"] == "MIT" and (vendor / "LICENSE").is_file()
        for file in files:
            assert (site / "assets" / "vendor" / library / file).is_file()
        assert f"assets/vendor/{library}/{files[0]}" in article
    # mermaid is only sent to pages that draw a diagram
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "mermaid.min.js" not in home and "katex.min.js" in home


def test_vendored_mermaid_is_the_major_that_material_expects() -> None:
    import material

    bundle = next(
        (Path(material.__file__).parent / "templates/assets/javascripts").glob("bundle.*.min.js")
    )
    (expected,) = set(re.findall(r"unpkg\.com/mermaid@(\d+)/", bundle.read_text(encoding="utf-8")))
    record = (ROOT / "docs/assets/vendor/mermaid/VERSION").read_text(encoding="utf-8")
    assert re.search(rf"^version={expected}\.", record, re.M)


# --- failure is loud --------------------------------------------------------------------

BROKEN_BLOCKS = """

```python exec="on" session="article" id="broken-on-purpose"
raise ValueError("this block is broken on purpose")
```

```python exec="on" session="article" id="exits-on-purpose"
import sys

sys.exit(0)
```

A [link to nowhere](no-such-page.md) and a [missing anchor](#no-such-heading).
"""


@pytest.fixture(scope="module")
def broken_build(tmp_path_factory: pytest.TempPathFactory):
    """A copy of the book with a raising block, an exiting block, broken links and a
    public name left out of the API reference, built with `--strict`."""
    project = copy_book_sources(tmp_path_factory.mktemp("broken-book"))
    article = project / "docs" / "article.md"
    article.write_text(article.read_text(encoding="utf-8") + BROKEN_BLOCKS, encoding="utf-8")
    api = project / "docs" / "api.md"
    api.write_text(
        api.read_text(encoding="utf-8").replace("::: gdbook.MLP\n", ""), encoding="utf-8"
    )
    site_dir = project / "site"
    result = build_book(project, site_dir)
    yield result, site_dir
    shutil.rmtree(project, ignore_errors=True)


def test_strict_build_fails_on_a_raising_block(broken_build) -> None:
    result, _ = broken_build
    log = result.stdout + result.stderr
    assert result.returncode != 0, log
    assert "Execution of python code block 'broken-on-purpose' exited with errors" in log
    assert "this block is broken on purpose" in log
    assert "Aborted with" in log


def test_a_block_that_calls_sys_exit_is_an_error_not_a_silent_stop(broken_build) -> None:
    result, site_dir = broken_build
    log = result.stdout + result.stderr
    assert result.returncode != 0, log
    assert "Execution of python code block 'exits-on-purpose' exited with errors" in log
    assert "SystemExit(0)" in log
    # The build went on past the exiting block and wrote every page.
    assert (site_dir / "api" / "index.html").is_file()


def test_strict_build_fails_on_broken_links_and_anchors(broken_build) -> None:
    result, _ = broken_build
    log = result.stdout + result.stderr
    assert "no-such-page.md" in log
    assert "no-such-heading" in log


def test_strict_build_fails_on_a_public_name_missing_from_the_api_reference(broken_build) -> None:
    result, _ = broken_build
    log = result.stdout + result.stderr
    assert re.search(r"public names with no entry in the API reference.*: MLP\b", log)


def test_loss_figure_is_identical_in_two_independent_builds(broken_build, article: str) -> None:
    """Two separate processes drew the figure (this session's build and the broken copy's)."""
    _, site_dir = broken_build
    other = (site_dir / "article" / "index.html").read_text(encoding="utf-8")

    def figure(page: str) -> str:
        return re.search(r'<figure class="gdbook-figure".*?</figure>', page, re.S).group(0)

    assert figure(other) == figure(article)


# --- the workflows: Pages and Tests ---------------------------------------------------


def test_pages_workflow_uses_least_privilege() -> None:
    workflow = (ROOT / ".github" / "workflows" / "pages.yml").read_text(encoding="utf-8")
    top, jobs = workflow.split("\njobs:\n")
    assert re.search(r"^permissions:\n  contents: read\b", top, re.M)
    build, deploy = jobs.split("\n  deploy:\n")
    assert "permissions" not in build
    assert re.search(r"permissions:\n\s+pages: write.*\n\s+id-token: write", deploy)
    assert "mkdocs build --strict" in build
    assert re.search(r"actions/upload-pages-artifact@[0-9a-f]{40}", build)
    assert re.search(r"actions/deploy-pages@[0-9a-f]{40}", deploy)


WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.y*ml"))


def test_tests_workflow_runs_the_readme_test_command_on_every_push_and_pull_request() -> None:
    workflow = (ROOT / ".github" / "workflows" / "tests.yml").read_text(encoding="utf-8")
    on = re.search(r"^on:\n((?:  .*\n)+)", workflow, re.M).group(1)
    assert re.search(r"^  push:", on, re.M) and re.search(r"^  pull_request:", on, re.M)
    assert "branches" not in on  # every branch, so a fork sees a mark on its own pushes
    top, jobs = workflow.split("\njobs:\n")
    assert re.search(r"^permissions:\n  contents: read\b", top, re.M)
    assert "permissions" not in jobs and "secrets." not in workflow
    versions = re.search(r"python-version: \[(.*)\]", jobs).group(1)
    assert [v.strip(' "') for v in versions.split(",")] == ["3.10", "3.11", "3.12", "3.13"]
    # .ci/run installs chromium and fonts-noto-cjk, then runs the README's test command
    assert re.search(r"run: bash \.ci/run$", jobs, re.M)
    assert "image: python:${{ matrix.python-version }}-bookworm" in jobs  # Debian's chromium


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=[w.name for w in WORKFLOWS])
def test_workflow_actions_are_pinned_and_checkouts_keep_no_credentials(workflow: Path) -> None:
    text = workflow.read_text(encoding="utf-8")
    uses = re.findall(r"uses: (\S+)(.*)", text)
    assert uses
    for action, comment in uses:
        assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", action), action
        assert re.fullmatch(r" # v\d+(\.\d+)*", comment), (action, comment)
    checkouts = re.findall(r"uses: actions/checkout@.*\n((?:\s+.*\n){0,3})", text)
    assert all("persist-credentials: false" in step for step in checkouts)


@pytest.mark.parametrize(
    "command",
    [
        ["zizmor", "--offline"],
        ["check-jsonschema", "--builtin-schema", "vendor.github-workflows"],
    ],
    ids=["zizmor", "check-jsonschema"],
)
@pytest.mark.parametrize("workflow", WORKFLOWS, ids=[w.name for w in WORKFLOWS])
def test_workflows_pass_the_linters(command: list[str], workflow: Path) -> None:
    assert {w.name for w in WORKFLOWS} >= {"pages.yml", "tests.yml"}
    executable = Path(sys.executable).parent / command[0]
    if not executable.exists():
        executable = shutil.which(command[0])
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail(f"{command[0]} is not installed (it is in the test extra)")
        pytest.skip(f"{command[0]} is not installed; pip install -e '.[test]'")
    result = subprocess.run(
        [str(executable), *command[1:], str(workflow)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
