"""Small embedded fonts: the CJK subsets WeasyPrint writes, rewritten to their used glyphs
(render_pdf does it to every PDF).

WeasyPrint subsets each font with HarfBuzz but keeps every glyph ID up to the highest used
(RETAIN_GIDS, so that the page's glyph numbers stay valid): Noto Sans CJK's Chinese glyphs
sit near ID 63,000, so each of the three faces (regular, bold, mono) came with ~63,000
mostly empty glyphs and their metrics, ~140 kB compressed each: a certificate was ~420 kB.

Noto Sans CJK is a CID-keyed CFF font whose CIDs equal its glyph IDs, and a PDF viewer maps
a CIDFontType0C font's CIDs to glyphs through the font's own charset (ISO 32000-1, 9.7.4.2).
So this finisher subsets each face again, this time without retaining IDs: HarfBuzz keeps
each glyph's CID in the charset, and the bare CFF table replaces the OpenType file. The page
keeps its glyph numbers, widths and ToUnicode map; only the font file shrinks (a
certificate is ~25-45 kB), and making it takes less time, not more.

A font that is not CID-keyed CFF with CIDs equal to glyph IDs, or that HarfBuzz cannot
subset, is left as WeasyPrint wrote it.
"""

from __future__ import annotations

from typing import Any


def _cff_of_used_glyphs(face: Any, glyph_ids: set[int]) -> bytes | None:
    """The CFF table of `face` cut down to `glyph_ids` (and .notdef), with their CIDs; None
    if the face cannot be cut so (no CFF table, not CID-keyed, CIDs not its glyph IDs)."""
    from weasyprint.text.ffi import (  # type: ignore[import-untyped]
        ffi,
        harfbuzz,
        harfbuzz_subset,
    )

    subset_input = ffi.gc(
        harfbuzz_subset.hb_subset_input_create_or_fail(),
        harfbuzz_subset.hb_subset_input_destroy,
    )
    if subset_input == ffi.NULL:
        return None
    wanted = sorted(glyph_ids | {0})
    harfbuzz.hb_set_add_sorted_array(
        harfbuzz_subset.hb_subset_input_glyph_set(subset_input),
        ffi.new(f"hb_codepoint_t[{len(wanted)}]", wanted),
        len(wanted),
    )
    # No layout tables: their closure would add glyphs the page never shows.
    dropped = [harfbuzz.hb_tag_from_string(tag, -1) for tag in (b"GPOS", b"GSUB")]
    harfbuzz.hb_set_add_sorted_array(
        harfbuzz_subset.hb_subset_input_set(
            subset_input, harfbuzz_subset.HB_SUBSET_SETS_DROP_TABLE_TAG
        ),
        ffi.new(f"hb_codepoint_t[{len(dropped)}]", sorted(dropped)),
        len(dropped),
    )
    harfbuzz_subset.hb_subset_input_set_flags(
        subset_input,
        harfbuzz_subset.HB_SUBSET_FLAGS_DESUBROUTINIZE
        | harfbuzz_subset.HB_SUBSET_FLAGS_NO_HINTING
        | harfbuzz_subset.HB_SUBSET_FLAGS_NOTDEF_OUTLINE,
    )
    subset = harfbuzz_subset.hb_subset_or_fail(face, subset_input)
    if subset == ffi.NULL:
        return None
    subset = ffi.gc(subset, harfbuzz.hb_face_destroy)
    blob = ffi.gc(
        harfbuzz.hb_face_reference_table(subset, harfbuzz.hb_tag_from_string(b"CFF ", -1)),
        harfbuzz.hb_blob_destroy,
    )
    length = ffi.new("unsigned int *")
    data = harfbuzz.hb_blob_get_data(blob, length)
    cff = bytes(ffi.buffer(data, length[0])) if length[0] else b""
    return cff if _keeps_glyph_ids_as_cids(cff, wanted) else None


def _keeps_glyph_ids_as_cids(cff: bytes, glyph_ids: list[int]) -> bool:
    """Whether the cut-down CFF is CID-keyed and its charset has each glyph ID the page draws
    as a CID, in glyph order (HarfBuzz may keep a few more, e.g. variants its closure finds):
    then each CID the page draws finds its glyph. Noto Sans CJK's CIDs are its glyph IDs; a
    font whose are not fails this and is left as WeasyPrint wrote it."""
    import io

    from fontTools.cffLib import CFFFontSet  # type: ignore[import-untyped]

    if not cff:
        return False
    fonts = CFFFontSet()
    fonts.decompile(io.BytesIO(cff), None)
    top = fonts.topDictIndex[0]
    if not hasattr(top, "ROS"):
        return False
    cids = [0 if name == ".notdef" else int(name.removeprefix("cid")) for name in top.charset]
    return cids == sorted(cids) and set(glyph_ids) <= set(cids)


def compact_fonts(document: Any, pdf: Any) -> None:
    """WeasyPrint finisher (write_pdf(finisher=...)): each embedded OpenType CFF font file
    becomes a CIDFontType0C file of only the glyphs the document uses."""
    import pydyf  # type: ignore[import-untyped]

    by_file: dict[str, list[Any]] = {}
    for font in document.fonts.values():
        if not font.bitmap:
            by_file.setdefault(font.hash, []).append(font)
    streams = [
        obj
        for obj in pdf.objects
        if isinstance(obj, pydyf.Stream)
        and obj.extra.get("Subtype") == "/OpenType"
        and len(obj.stream) == 1
    ]
    for fonts in by_file.values():
        contents = {id(font.file_content) for font in fonts}
        stream = next((s for s in streams if id(s.stream[0]) in contents), None)
        if stream is None:
            continue
        used = set().union(*(font.widths for font in fonts))
        cff = _cff_of_used_glyphs(fonts[0].hb_face, used)
        if cff:
            stream.stream = [cff]
            stream.extra["Subtype"] = "/CIDFontType0C"
