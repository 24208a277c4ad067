"""The text of an HTML page as a browser's "save as text" gives it: a line per block, a tab between table cells.

NFA's pages and dailyseg's own `publish` page are HTML; the NFA reader reads text. Keeping the tab between
cells (an empty cell too) is what lets a table of several pools side by side be read column by column.
Nothing drawn is text: the head, scripts, styles and SVG charts (whose axis numbers would read as figures)
are left out.
"""

from __future__ import annotations

from html.parser import HTMLParser

_SKIPPED = frozenset({"head", "script", "style", "svg", "noscript", "template"})
_BLOCKS = frozenset(
    {"p", "div", "br", "li", "ul", "ol", "table", "tr", "caption", "section", "article", "header", "footer", "nav", "main", "hr"}
    | {f"h{n}" for n in range(1, 7)}
)
_CELLS = frozenset({"td", "th"})


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.cells_in_row = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self.skipping += 1
        elif tag in _CELLS:
            if self.cells_in_row:
                self.parts.append("\t")
            self.cells_in_row += 1
        elif tag in _BLOCKS:
            self.parts.append("\n")
            self.cells_in_row = 0

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n")
            self.cells_in_row = 0

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(" ".join(data.split()) if data.strip() else (" " if data else ""))


def looks_like_html(text: str) -> bool:
    head = text.lstrip()[:512].lower()
    return head.startswith("<") and ("<html" in head or "<!doctype" in head or "<table" in head or "<body" in head)


def html_text(html: str) -> str:
    """The page's text, a line per block; cells of a table row are joined by tabs."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    lines = ("".join(parser.parts)).split("\n")
    return "\n".join(line.strip(" ") for line in lines if line.strip())
