"""The slowest documents the reader knows, built to a size: what the heavy-work tests and benchmarks/web_hostile.py send.

- `unread_codes`: one statement line of "x [7010] " repeated. The text reader used to slice the line up to
  each bracketed code it did not take, a cost quadratic in the line (54 KB took about 2 s, 180 KB over 30 s;
  since fixed in parse/text.py: 180 KB read in about 0.2 s).
- `distinct_bad_codes`: a line per code, each code's amount unreadable, so every line is a problem of its own.
- `many_filings`: the sample filing over and over: one filing a copy, each read, validated and laid out.
- `rendered_pdf`: the sample, `copies` times, as a PDF rendered by `dailyseg.render.render_pdf` and read back
  through pypdf: the slowest per byte now, about 0.3 s a page (6 copies, 92 KB: about 2 s; the PDF reader
  stops at 10 s). Rendering it takes longer still (about 1 s a copy), so each is made once per process.
"""

from __future__ import annotations

from functools import cache

import dailyseg
from dailyseg.render.pdf import render_pdf
from tests.web.support import SAMPLE

_HEAD = "INITIAL\nEnd Date:7/25/2013\nFirm Name:X\nForm:Daily Seg - FOCUS II\nDaily Segregation - Segregation Statement\n"


def unread_codes(size: int) -> bytes:
    return (_HEAD + "x [7010] " * ((size - len(_HEAD)) // 9) + "\n").encode("utf-8")


def distinct_bad_codes(size: int) -> bytes:
    lines, total, i = [_HEAD], len(_HEAD), 0
    while True:
        line = f"x {i}x [{1000 + i}]\n"
        if total + len(line) > size:
            return "".join(lines).encode("utf-8")
        lines.append(line)
        total += len(line)
        i += 1


def many_filings(size: int) -> bytes:
    sample = SAMPLE.read_bytes()
    return sample * max(1, size // len(sample))


@cache
def rendered_pdf(copies: int = 1) -> bytes:
    return render_pdf([dailyseg.read(SAMPLE).filing] * copies)


def slow_documents(size: int) -> dict[str, bytes]:
    """Each kind of slow document, at most `size` bytes (the PDF is what it is: 6 filings, about 92 KB)."""
    return {
        "unread-codes.txt": unread_codes(size),
        "distinct-bad-codes.txt": distinct_bad_codes(size),
        "many-filings.txt": many_filings(size),
        "rendered.pdf": rendered_pdf(6),
    }


def post_all(base: str, documents: dict[str, bytes], page: str, csrf: str, cookies: dict[str, str]) -> dict[str, int]:
    """Post every document to `POST /api/validate` at once, and `page` to `POST /upload` too; the statuses by name.

    Run in a process of its own by the tests, so that building and reading these requests does not share an
    interpreter lock with the client measuring the server.
    """
    import threading

    import httpx

    statuses: dict[str, int] = {}

    def post(name: str, content: bytes, upload: bool) -> None:
        with httpx.Client(base_url=base, timeout=60, cookies=cookies) as client:
            if upload:
                answer = client.post("/upload", data={"csrf_token": csrf}, files={"file": (name, content)})
            else:
                answer = client.post("/api/validate", files={"file": (name, content)})
            statuses[f"{'upload' if upload else 'validate'} {name}"] = answer.status_code

    senders = [threading.Thread(target=post, args=(name, content, False)) for name, content in documents.items()]
    senders.append(threading.Thread(target=post, args=(page, documents[page], True)))
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join()
    return statuses
