"""Reading a page's table back from its HTML (the standard library's parser), to compare with its downloads."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Cell:
    text: str
    attrs: dict[str, str]
    links: list[str] = field(default_factory=list)


@dataclass
class Row:
    attrs: dict[str, str]
    cells: list[Cell] = field(default_factory=list)


class _Reader(HTMLParser):
    def __init__(self, table_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self.table_id = table_id
        self.depth = 0  # inside the table: the nesting of tables
        self.in_body = False
        self.rows: list[Row] = []
        self.cell: Cell | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        if tag == "table" and (self.depth or found.get("id") == self.table_id):
            self.depth += 1
        if not self.depth:
            return
        if tag == "tbody":
            self.in_body = True
        elif tag == "tr" and self.in_body:
            self.rows.append(Row(found))
        elif tag in ("td", "th") and self.in_body and self.rows:
            self.cell = Cell("", found)
            self.rows[-1].cells.append(self.cell)
        elif tag == "a" and self.cell is not None:
            self.cell.links.append(found.get("href", ""))

    def handle_endtag(self, tag: str) -> None:
        if not self.depth:
            return
        if tag == "table":
            self.depth -= 1
        elif tag == "tbody":
            self.in_body = False
        elif tag in ("td", "th"):
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.text += data


def table_rows(html: str, table_id: str) -> list[Row]:
    """The body rows of the table with that id: each row's attributes and its cells' text, attributes and links."""
    reader = _Reader(table_id)
    reader.feed(html)
    for row in reader.rows:
        for cell in row.cells:
            cell.text = " ".join(cell.text.split())
    return reader.rows
