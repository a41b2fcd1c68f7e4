"""Read the tables of a built page (stdlib only), for the site and experiments tests."""

from __future__ import annotations

from html.parser import HTMLParser

Cell = tuple[str, list[str]]  # the cell's text (whitespace folded), the hrefs inside it


class _Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[Cell]]] = []
        self._cell: tuple[list[str], list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th") and self.tables:
            self._cell = ([], [])
        elif tag == "a" and self._cell is not None:
            self._cell[1].append(dict(attrs).get("href", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            words, links = self._cell
            self.tables[-1][-1].append((" ".join("".join(words).split()), links))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell[0].append(data)


def tables_with_links(page: str) -> list[list[list[Cell]]]:
    """Every table of `page` as rows of `(text, hrefs)` cells, header row first."""
    parser = _Tables()
    parser.feed(page)
    return parser.tables


def tables(page: str) -> list[list[list[str]]]:
    """Every table of `page` as rows of cell texts, header row first."""
    return [[[cell for cell, _ in row] for row in table] for table in tables_with_links(page)]
