"""`dailyseg.read` never raises: every input a user, a crawler or a damaged disk can hand it ends as a
`ReadResult` whose problems say what was wrong, and reading costs time linear in the input."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dailyseg
from dailyseg.filing import Filing
from dailyseg.money import AmountError, parse_amount
from dailyseg.problems import ReadResult
from dailyseg.render import renderer
from dailyseg.store import Store

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "daily-seg-citigroup-2013-07-25.txt"
# Reading a filing takes milliseconds; a bound far above that still catches super-linear blow-ups.
TIME_BOUND = 2.0


@cache
def _filings() -> tuple[Filing, ...]:
    return dailyseg.read(str(EXAMPLE)).filings


@cache
def _json() -> str:
    return str(renderer("json")(_filings()))


@cache
def _csv() -> str:
    return str(renderer("csv")(_filings()))


def _document(**change: object) -> bytes:
    """The example's JSON with top-level fields of its filing replaced."""
    data = json.loads(_json())
    data["filings"][0].update(change)
    return json.dumps(data).encode("utf-8")


def _messages(result: ReadResult) -> str:
    return "\n".join(str(p) for p in result.problems)


def _assert_refused(result: ReadResult, *words: str) -> None:
    assert not result.filings
    assert result.problems
    assert any(p.severity == "fatal" for p in result.problems)  # nothing could be read
    text = _messages(result)
    for word in words:
        assert word in text, text
    text.encode("utf-8")  # every message can be written out


# -- 1. exceptions that used to escape ----------------------------------------------------------------------
def test_csv_with_carriage_returns_only_is_read() -> None:
    result = dailyseg.read(_csv().replace("\r\n", "\n").replace("\n", "\r").encode("utf-8"))
    assert result.filings == _filings()


def test_csv_header_field_over_the_csv_limit_is_a_problem() -> None:
    header = "firm,end_date," + "x" * 140_000 + "\n"
    result = dailyseg.read(header.encode("utf-8"))
    _assert_refused(result, "malformed CSV", "field larger than field limit")
    assert result.problems[0].severity == "fatal"


def test_stray_quote_in_csv_is_a_problem() -> None:
    _assert_refused(dailyseg.read(_csv().replace("Citigroup", 'Citi"group\r', 1).encode("utf-8")))


def test_deeply_nested_json_is_a_problem() -> None:
    result = dailyseg.read(b"[" * 100_000)
    _assert_refused(result, "nested too deeply")
    assert result.problems[0].severity == "fatal"
    _assert_refused(dailyseg.read(b'{"filings": ' + b'{"a": ' * 50_000))


def test_lone_surrogate_in_a_json_field_is_refused_naming_the_field() -> None:
    result = dailyseg.read(_document(firm="\ud800").decode("utf-8").encode("utf-8"))
    _assert_refused(result, "firm", "lone surrogates", "\\ud800")
    assert result.problems[0].severity == "fatal"
    # The result can be rendered and stored like any other: nothing in it breaks UTF-8.
    for problem in result.problems:
        str(problem).encode("utf-8")
        problem.message.encode("utf-8")


def test_lone_surrogate_in_a_label_or_cover_is_refused_naming_the_field() -> None:
    data = json.loads(_json())
    data["filings"][0]["labels"] = {"7999": "\udfff"}
    _assert_refused(dailyseg.read(json.dumps(data).encode("utf-8")), "labels.'7999'", "lone surrogates")
    _assert_refused(dailyseg.read(_document(cover={"company": "\ud83d"})), "cover.company", "lone surrogates")


def test_lone_surrogate_in_text_given_as_str_is_kept_escaped(tmp_path: Path) -> None:
    text = EXAMPLE.read_text("utf-8").replace("Citigroup", "Citi\ud800group", 1)
    result = dailyseg.read(text, text=True)
    assert any("lone surrogates" in p.message for p in result.problems)
    for problem in result.problems:
        str(problem).encode("utf-8")
    # Whatever was read renders and ingests: the surrogate survives only as the escape "\ud800".
    rendered = renderer("text")(result.filings)
    (rendered.encode("utf-8") if isinstance(rendered, str) else rendered).decode("utf-8")
    for filing in result.filings:
        filing.header.firm_name.encode("utf-8")
    with Store.open(f"sqlite:///{tmp_path / 'store.sqlite'}") as store:
        store.ingest_filings(list(result.filings), source="<text>")
    # A JSON document given as a str with a raw surrogate: escaped, then refused by field.
    _assert_refused(dailyseg.read(_json().replace("Citigroup", "\ud800", 1)), "firm", "lone surrogates")


def test_refused_surrogate_result_renders_and_ingests(tmp_path: Path) -> None:
    result = dailyseg.read(_document(firm="\ud800"))
    rendered = renderer("text")(result.filings)
    assert isinstance(rendered, str | bytes)
    with Store.open(f"sqlite:///{tmp_path / 'store.sqlite'}") as store:
        store.ingest_filings(list(result.filings), source=result.source)


@pytest.mark.parametrize(
    "error",
    [
        ValueError("bad"),
        KeyError("/Root"),
        TypeError("NoneType"),
        AssertionError(),
        IndexError("list index"),
        RecursionError("deep"),
        ZeroDivisionError("division by zero"),
        OverflowError("too large"),
        AttributeError("NullObject"),
    ],
)
def test_any_pypdf_failure_is_a_fatal_problem(monkeypatch: pytest.MonkeyPatch, error: Exception) -> None:
    import pypdf

    def damaged(*_: object, **__: object) -> None:
        raise error

    monkeypatch.setattr(pypdf, "PdfReader", damaged)
    result = dailyseg.read(b"%PDF-1.4\n" + b"0" * 100)
    _assert_refused(result, "cannot read the PDF")
    assert result.problems[0].severity == "fatal"


def test_pypdf_base_error_is_a_fatal_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    import pypdf
    from pypdf.errors import PyPdfError

    def damaged(*_: object, **__: object) -> None:
        raise PyPdfError("\ud800 broken")

    monkeypatch.setattr(pypdf, "PdfReader", damaged)
    _assert_refused(dailyseg.read(b"%PDF-1.4\n"), "cannot read the PDF", "\\ud800")


def test_truncated_pdf_is_a_fatal_problem() -> None:
    for data in (b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R", b"%PDF-1.4\ntrailer << /Root 1 0 R /Size 1e999 >>\n%%EOF"):
        result = dailyseg.read(data)
        _assert_refused(result)
        assert result.problems[0].severity == "fatal"


@pytest.mark.parametrize("field", ["labels", "statements", "cover"])
def test_wrong_type_of_a_top_level_field_is_a_problem(field: str) -> None:
    _assert_refused(dailyseg.read(_document(**{field: ["7010"]})), field, "expected", "found list")


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"firm": True}, ("firm", "expected text", "found bool")),
        ({"end_date": ["2013"]}, ("end_date", "expected text", "found list")),
        ({"layout": {}}, ("layout", "expected text", "found dict")),
        ({"statements": {"secured": ["1"]}}, ("statements.secured", "expected an object", "found list")),
        ({"statements": {"secured": {"7360": False}}}, ("statements.secured.7360", "amount as a string", "found bool")),
        ({"labels": {"7999": ["x"]}, "statements": {"secured": {"7999": "1"}}}, ("labels.'7999'", "found list")),
        ({"cover": {"targets": []}}, ("cover.targets", "found list")),
        ({"cover": {"targets": {"secured": "x"}}}, ("cover.targets.secured", "found str")),
        ({"cover": {"targets": {"secured": {"kind": ["x"]}}}}, ("cover.targets.secured.kind", "found ['x']")),
        ({"cover": {"targets": {"bogus": {}}}}, ("cover.targets", "'bogus'")),
        ({"cover": {"company": {}}}, ("cover.company", "found dict")),
    ],
)
def test_wrong_type_of_a_nested_field_is_a_problem(change: dict[str, object], words: tuple[str, ...]) -> None:
    _assert_refused(dailyseg.read(_document(**change)), *words)


def test_known_code_under_an_unknown_statement_is_a_problem() -> None:
    _assert_refused(dailyseg.read(_document(statements={"bogus": {"7010": "1"}})), "statements", "'bogus'")


@pytest.mark.parametrize("path", ["name\0.txt", "\0", "dir/\0/file"])
def test_path_with_nul_is_a_problem(path: str) -> None:
    result = dailyseg.read(path)
    _assert_refused(result, "not a valid path", "NUL")
    assert result.problems[0].severity == "fatal"


def test_path_with_a_lone_surrogate_is_a_problem() -> None:
    result = dailyseg.read("missing-\ud800.txt")
    _assert_refused(result)
    result.source.encode("utf-8")


# -- 2. linear time ------------------------------------------------------------------------------------------
def _worst(size: int) -> str:
    return "(" + " " * size + "x"


def _seconds(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


@pytest.mark.parametrize("make", [_worst, lambda n: " " * n + "x", lambda n: "$" + " " * n + "-", lambda n: "(-" + " " * n + "1"])
def test_parse_amount_is_linear_in_its_input(make: Callable[[int], str]) -> None:
    def attempt(size: int) -> float:
        def call() -> None:
            with pytest.raises(AmountError):
                parse_amount(make(size))

        return min(_seconds(call) for _ in range(3))

    small, large = attempt(2_000), attempt(20_000)
    assert small < 0.5 and large < 0.5
    assert large < max(small, 1e-5) * 100


def test_spaced_amount_in_json_is_read_quickly() -> None:
    document = _document(statements={"secured": {"7360": _worst(20_000)}})
    elapsed = _seconds(lambda: _assert_refused(dailyseg.read(document), "statements.secured.7360", "not an amount"))
    assert elapsed < 0.5


def test_accepted_forms_are_unchanged() -> None:
    cases = {
        "1,234": Decimal(1234),
        "-1,234": Decimal(-1234),
        "(1,234)": Decimal(-1234),
        "$1,234.50": Decimal("1234.50"),
        " ( $ 1,234.5 ) ": Decimal("-1234.5"),
        "+ $ 7": Decimal(7),
        "- $0.": Decimal(0),
        "\t12\n": Decimal(12),
        "000,001.25": Decimal("1.25"),
    }
    for text, amount in cases.items():
        value = parse_amount(text)
        assert isinstance(value, Decimal) and value == amount and str(value) == str(amount), text
    for text in ("", "()", "1 234", "$-5", "-(5)", "(5", "5)", "((5))", "(-5)", "1.234", "x", "5 .3", "٧٠١٠", "𝟳"):
        with pytest.raises(AmountError):
            parse_amount(text)


# -- 3. codes are ASCII digits -------------------------------------------------------------------------------
@pytest.mark.parametrize("code", ["٧٠١٠", "𝟳𝟬𝟭𝟬", "7０10", "7010.Ａ"])
def test_non_ascii_digits_are_not_a_code_in_json(code: str) -> None:
    result = dailyseg.read(_document(statements={"segregation": {code: "1"}}))
    _assert_refused(result, "statements.segregation", "ASCII digits", repr(code))


@pytest.mark.parametrize("code", ["٧٠١٠", "𝟳𝟬𝟭𝟬"])
def test_non_ascii_digits_are_not_a_code_in_csv(code: str) -> None:
    lines = _csv().splitlines()
    first = lines[1].split(",")
    position = 8  # the "code" column of the long form
    first[position] = code
    result = dailyseg.read("\n".join([lines[0], ",".join(first), *lines[2:]]).encode("utf-8"))
    _assert_refused(result, "ASCII digits", repr(code))


def test_ascii_codes_still_read() -> None:
    assert dailyseg.read(_json().encode("utf-8")).filings == _filings()
    assert dailyseg.read(_csv().encode("utf-8")).filings == _filings()


# -- 4. property: nothing raises -------------------------------------------------------------------------------
def _read_within_bound(data: bytes | str) -> None:
    start = time.perf_counter()
    result = dailyseg.read(data, text=True) if isinstance(data, str) else dailyseg.read(data)
    assert isinstance(result, ReadResult)
    assert time.perf_counter() - start < TIME_BOUND
    for problem in result.problems:
        str(problem).encode("utf-8")


FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_INSERTS = st.sampled_from(["\ud800", "\udfff", "\0", "\r", "[" * 2_000, "{" * 2_000, '"', ",", "٧", " " * 500, "\\u"])


@st.composite
def _mutated(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from([_json(), _csv()]))
    if draw(st.booleans()):
        text = text.replace("\r\n", "\n").replace("\n", "\r")
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(text)))
        kind = draw(st.sampled_from(["delete", "duplicate", "replace", "insert"]))
        span = draw(st.integers(1, 40))
        if kind == "delete":
            text = text[:at] + text[at + span :]
        elif kind == "duplicate":
            text = text[:at] + text[at : at + span] * 2 + text[at + span :]
        elif kind == "replace":
            text = text[:at] + draw(st.characters()) + text[at + 1 :]
        else:
            text = text[:at] + draw(_INSERTS | st.text(max_size=5)) + text[at:]
    return text


@FAST
@given(st.binary(max_size=2_000))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    _read_within_bound(data)


@FAST
@given(st.text(max_size=2_000))
def test_arbitrary_text_never_raises(text: str) -> None:
    _read_within_bound(text)
    _read_within_bound(text.encode("utf-8", "surrogatepass"))


@FAST
@given(_mutated())
def test_mutated_renderings_never_raise(text: str) -> None:
    _read_within_bound(text)
    _read_within_bound(text.encode("utf-8", "surrogatepass"))
