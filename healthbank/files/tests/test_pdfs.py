"""The PDF check of uploads: plain PDFs (with links and a first-page open action, as Word and
scanners write them) are taken; anything that runs, sends, opens another file or carries one
is refused, however deep; a malformed file is "damaged", never an error of ours."""

from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from healthbank.files import pdfs

LIMITS = {"max_bytes": 10 * 1024**2, "max_pages": 30}


def name(value: str) -> NameObject:
    return NameObject(value)


def written(change=None, pages: int = 1) -> bytes:
    """A blank PDF, changed by `change(writer)` before it is written."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if change:
        change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def annotate(writer: PdfWriter, annotation: dict) -> None:
    annot = DictionaryObject(
        {
            name("/Type"): name("/Annot"),
            name("/Rect"): ArrayObject([NumberObject(n) for n in (0, 0, 100, 100)]),
            **annotation,
        }
    )
    writer.pages[0][name("/Annots")] = ArrayObject([writer._add_object(annot)])


def link(action: dict) -> callable:
    return lambda writer: annotate(
        writer, {name("/Subtype"): name("/Link"), name("/A"): DictionaryObject(action)}
    )


def action(kind: str, **extra) -> dict:
    return {name("/S"): name(kind), **{name(f"/{k}"): v for k, v in extra.items()}}


def in_root(key: str, value) -> callable:
    def change(writer: PdfWriter) -> None:
        writer._root_object[name(key)] = value

    return change


def nested(depth: int, leaf: DictionaryObject) -> DictionaryObject:
    """`leaf` inside `depth` direct dictionaries and arrays, alternately."""
    value: DictionaryObject | ArrayObject = leaf
    for level in range(depth):
        value = ArrayObject([value]) if level % 2 else DictionaryObject({name("/X"): value})
    return value


def deep(depth: int, leaf: DictionaryObject) -> callable:
    def change(writer: PdfWriter) -> None:
        writer.pages[0][name("/Deep")] = nested(depth, leaf)

    return change


def refused(data: bytes) -> str | None:
    try:
        pdfs.check_pdf(data, **LIMITS)
    except pdfs.PdfRefused as refusal:
        return refusal.code
    return None


def test_a_plain_pdf_is_taken_with_its_page_count():
    assert pdfs.check_pdf(written(pages=3), **LIMITS) == 3


@pytest.mark.parametrize(
    "change",
    [
        # Word and scanners: open at the first page, fitted (a destination, not an action).
        pytest.param(
            lambda w: w._root_object.__setitem__(
                name("/OpenAction"), ArrayObject([w.pages[0].indirect_reference, name("/Fit")])
            ),
            id="open-action-destination",
        ),
        pytest.param(
            lambda w: w._root_object.__setitem__(
                name("/OpenAction"),
                DictionaryObject(
                    action("/GoTo", D=ArrayObject([w.pages[0].indirect_reference, name("/Fit")]))
                ),
            ),
            id="open-action-goto",
        ),
        pytest.param(
            link(action("/URI", URI=TextStringObject("https://www.nhi.gov.tw/"))), id="uri-link"
        ),
        pytest.param(deep(pdfs.MAX_DEPTH - 1, DictionaryObject()), id="nested-but-harmless"),
    ],
)
def test_what_word_and_scanners_write_is_taken(change):
    assert refused(written(change)) is None


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(link(action("/JavaScript", JS=TextStringObject("app.alert(1)"))), id="js"),
        pytest.param(link(action("/Launch", F=TextStringObject("cmd.exe"))), id="launch"),
        pytest.param(link(action("/GoToE", NewWindow=NumberObject(1))), id="gotoe"),
        pytest.param(link(action("/GoToR", F=TextStringObject("other.pdf"))), id="gotor"),
        pytest.param(link(action("/ImportData", F=TextStringObject("x.fdf"))), id="importdata"),
        pytest.param(
            link(action("/SubmitForm", F=TextStringObject("https://evil.example/"))),
            id="submitform",
        ),
        pytest.param(link(action("/RichMediaExecute")), id="richmedia-execute"),
        pytest.param(
            lambda w: annotate(w, {name("/Subtype"): name("/RichMedia")}), id="richmedia-annot"
        ),
        pytest.param(
            lambda w: annotate(
                w,
                {
                    name("/Subtype"): name("/FileAttachment"),
                    name("/FS"): TextStringObject("invoice.exe"),
                },
            ),
            id="file-attachment",
        ),
        pytest.param(
            in_root(
                "/Names",
                DictionaryObject(
                    {name("/EmbeddedFiles"): DictionaryObject({name("/Names"): ArrayObject()})}
                ),
            ),
            id="embedded-files",
        ),
        pytest.param(
            in_root(
                "/Names",
                DictionaryObject(
                    {name("/JavaScript"): DictionaryObject({name("/Names"): ArrayObject()})}
                ),
            ),
            id="names-javascript",
        ),
        pytest.param(
            in_root(
                "/AcroForm",
                DictionaryObject(
                    {name("/Fields"): ArrayObject(), name("/XFA"): TextStringObject("<xdp/>")}
                ),
            ),
            id="xfa",
        ),
        pytest.param(
            in_root(
                "/OpenAction", DictionaryObject(action("/JavaScript", JS=TextStringObject("1")))
            ),
            id="open-action-js",
        ),
        pytest.param(
            in_root("/OpenAction", DictionaryObject(action("/URI", URI=TextStringObject("x")))),
            id="open-action-uri",
        ),
        pytest.param(
            in_root("/AA", DictionaryObject({name("/WC"): DictionaryObject(action("/GoTo"))})),
            id="document-additional-actions",
        ),
        # A script nine levels down in one object: passed before (the walk stopped at 8).
        pytest.param(
            deep(9, DictionaryObject(action("/JavaScript", JS=TextStringObject("1")))),
            id="js-9-deep",
        ),
        # Deeper than the walk goes: refused rather than left unchecked.
        pytest.param(deep(pdfs.MAX_DEPTH + 5, DictionaryObject()), id="past-the-depth-limit"),
        # A script in an array inside an array (the walk skipped nested arrays).
        pytest.param(
            lambda w: w.pages[0].__setitem__(
                name("/Deep"),
                ArrayObject(
                    [
                        ArrayObject(
                            [DictionaryObject(action("/JavaScript", JS=TextStringObject("1")))]
                        )
                    ]
                ),
            ),
            id="array-in-array",
        ),
    ],
)
def test_anything_that_runs_or_carries_a_file_is_refused(change):
    assert refused(written(change)) == "active"


def test_a_name_written_with_hex_escapes_is_still_seen():
    data = written(link(action("/JavaScript", JS=TextStringObject("1"))))
    assert b"/JavaScript" in data
    assert refused(data.replace(b"/JavaScript", b"/J#61vaScript")) == "active"


def test_an_object_that_makes_pypdf_fail_is_damaged_not_an_error(monkeypatch):
    """Whatever pypdf raises on a malformed file (AttributeError, IndexError, zlib.error,
    AssertionError...) is the person's damaged file, not a server error."""
    data = written()
    for error in (AttributeError, IndexError, AssertionError, RecursionError, ZeroDivisionError):

        def fail(*args, error=error, **kwargs):
            raise error("malformed")

        monkeypatch.setattr(pdfs, "_has_actions", fail)
        assert refused(data) == "damaged"


# --- fuzz: nothing but the refusal ever leaves check_pdf ----------------------------------------

REAL = written(link(action("/URI", URI=TextStringObject("https://www.nhi.gov.tw/"))), pages=2)


def check_only_refuses(data: bytes) -> None:
    try:
        pdfs.check_pdf(data, **LIMITS)
    except pdfs.PdfRefused:
        pass


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4096))
def test_random_bytes_are_refused_and_never_raise_anything_else(data):
    check_only_refuses(data)
    check_only_refuses(b"%PDF-1.7\n" + data + b"\n%%EOF\n")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.integers(0, len(REAL) - 1), st.integers(0, 255)), min_size=1, max_size=12
    ),
    st.integers(0, len(REAL)),
)
def test_mutated_real_pdfs_never_raise_anything_but_the_refusal(changes, cut):
    data = bytearray(REAL)
    for at, byte in changes:
        data[at] = byte
    check_only_refuses(bytes(data))
    check_only_refuses(bytes(data[:cut]) + b"\n%%EOF\n")
