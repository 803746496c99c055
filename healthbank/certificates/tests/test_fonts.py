"""The certificates' embedded fonts hold only the glyphs the page shows (core.pdf_fonts):
each face is a bare CID-keyed CFF whose charset has every CID the page draws, so a viewer
finds each glyph, and a certificate is tens of kilobytes, not ~420 kB."""

from __future__ import annotations

import io

import pytest
from fontTools.cffLib import CFFFontSet
from pypdf import PdfReader

from healthbank.certificates import services
from healthbank.certificates.tests.conftest import pdf_text
from healthbank.people.models import Person
from tests.fixtures.personas import CHEN, LIN

pytestmark = pytest.mark.django_db


def _fonts(pdf: bytes):
    """(font name, CIDs the page draws, the font file's subtype, CIDs in its charset if it is
    a bare CFF)."""
    for font in PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"]["/Font"].values():
        cid_font = font.get_object()["/DescendantFonts"][0].get_object()
        widths, drawn, i = cid_font["/W"], set(), 0
        while i < len(widths):  # [first [w w w] first [w w] ...]
            drawn.update(range(widths[i], widths[i] + len(widths[i + 1])))
            i += 2
        file = cid_font["/FontDescriptor"]["/FontFile3"].get_object()
        charset: set[int] = set()
        if file["/Subtype"] == "/CIDFontType0C":
            cff = CFFFontSet()
            cff.decompile(io.BytesIO(file.get_data()), None)
            charset = {0 if n == ".notdef" else int(n.removeprefix("cid")) for n in cff[0].charset}
        yield str(cid_font["/BaseFont"]), drawn, file["/Subtype"], charset


@pytest.mark.parametrize("language", ["zh-hant", "en"])
def test_each_font_holds_the_glyphs_drawn_and_little_else(personas, language):
    lin = Person.objects.get(national_id=LIN)
    chen = Person.objects.get(national_id=CHEN)
    for certificate in (
        services.issue_insurance_certificate(
            person=lin, language=language, with_dependants=True, address=None
        ),
        services.issue_premiums_certificate(
            person=chen, year=2025, language=language, address=None
        ),
    ):
        pdf = bytes(certificate.pdf)
        assert len(pdf) < 80_000, certificate.kind  # was ~420 kB with whole-ID subsets
        faces = list(_fonts(pdf))
        assert {name.split("+")[1] for name, *_ in faces} >= {
            "Noto-Sans-CJK-TC",
            "Noto-Sans-CJK-TC-Bold",
        }
        for name, drawn, subtype, charset in faces:
            assert subtype == "/CIDFontType0C", name
            assert drawn <= charset, name  # every glyph the page draws is in the font
            assert len(charset) < 3 * len(drawn) + 10, name  # not the 63,000 of the font


def test_a_font_that_cannot_be_cut_is_embedded_as_weasyprint_wrote_it(personas, monkeypatch):
    from healthbank.core import pdf_fonts

    monkeypatch.setattr(pdf_fonts, "_keeps_glyph_ids_as_cids", lambda cff, glyph_ids: False)
    chen = Person.objects.get(national_id=CHEN)
    certificate = services.issue_insurance_certificate(
        person=chen, language="zh-hant", with_dependants=False, address=None
    )
    pdf = bytes(certificate.pdf)
    assert len(pdf) > 200_000  # the whole-ID subsets: large, but every glyph shows
    assert {subtype for *_, subtype, _ in _fonts(pdf)} == {"/OpenType"}
    assert "全民健康保險投保證明" in pdf_text(pdf)
