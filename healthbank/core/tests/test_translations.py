"""The Traditional Chinese catalogue (zh-Hant, the site's default language) is complete,
compiled, and covers every string in the source."""

from __future__ import annotations

import gettext
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation

from healthbank.people.models import Enrolment, Person

REPO = Path(__file__).resolve().parents[3]
LOCALE = REPO / "healthbank" / "locale"
PO = LOCALE / "zh_Hant" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")

# What the project's makemessages run leaves out (run from the repo root with
# --ignore=.venv --ignore=var --ignore=bench); hidden directories are skipped by Django too.
SKIPPED_DIRS = {".venv", "var", "bench", "locale", "node_modules", "__pycache__"}
SOURCE_SUFFIXES = {".py", ".html", ".txt"}  # makemessages' defaults for the django domain

# Placeholders and markup a translation must keep as they are.
KEPT_TOKENS = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}|<[^>]+>")

ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)


def _unquote(text: str) -> str:
    text = text.strip()
    assert text.startswith('"') and text.endswith('"'), f"not a PO string: {text!r}"
    return re.sub(r"\\(.)", lambda m: ESCAPES[m.group(1)], text[1:-1])


def parse_po(text: str) -> list[Entry]:
    """Entries of a PO file (obsolete #~ entries left out); the header is msgid ""."""
    entries: list[Entry] = []
    entry, target, seen_msgstr = Entry(), None, False
    for line in text.splitlines():
        if line.startswith("#~") and not seen_msgstr:
            entry.flags = set()  # the flags above an obsolete entry are its own
        if not line.strip() or line.startswith("#~"):
            continue
        keyword = re.match(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(\".*\")$", line)
        starts_entry = line.startswith("#") or (keyword and keyword[1] in ("msgctxt", "msgid"))
        if starts_entry and seen_msgstr:
            entries.append(entry)
            entry, target, seen_msgstr = Entry(), None, False
        if line.startswith("#,"):
            entry.flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif keyword:
            name, index, value = keyword[1], keyword[2], _unquote(keyword[3])
            if name.startswith("msgstr"):
                seen_msgstr = True
                target = ("msgstr", int(index or 0))
                entry.msgstr[target[1]] = value
            else:
                target = (name, None)
                setattr(entry, name, value)
        else:  # a continuation line
            assert target is not None, f"string outside an entry: {line!r}"
            name, index = target
            if name == "msgstr":
                entry.msgstr[index] += _unquote(line)
            else:
                setattr(entry, name, getattr(entry, name) + _unquote(line))
    if seen_msgstr:
        entries.append(entry)
    return entries


def committed_entries() -> list[Entry]:
    return parse_po(PO.read_text(encoding="utf-8"))


def test_parser_reads_context_plurals_continuations_and_flags():
    text = (
        'msgid ""\nmsgstr ""\n"Language: zh_Hant\\n"\n'
        '#, fuzzy, python-format\nmsgctxt "unit"\nmsgid "a "\n"%(n)s \\"b\\""\nmsgstr "甲"\n'
        '#: x.py:1\nmsgid "one"\nmsgid_plural "many"\nmsgstr[0] ""\n"多"\n'
        '#, fuzzy\n#~ msgid "gone"\n#~ msgstr "舊"\n'
        'msgid "after"\nmsgstr "後"\n'
    )
    header, fuzzy, plural, after = parse_po(text)
    assert header.msgid == "" and header.msgstr == {0: "Language: zh_Hant\n"}
    assert fuzzy.key == ("unit", 'a %(n)s "b"') and fuzzy.flags == {"fuzzy", "python-format"}
    assert plural.msgid_plural == "many" and plural.msgstr == {0: "多"}
    assert after.msgid == "after" and not after.flags  # not the obsolete entry's fuzzy


def test_every_entry_is_translated_and_none_is_fuzzy():
    entries = committed_entries()
    assert len(entries) > 100  # the catalogue was parsed, not silently empty
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    empty = [e.msgid for e in entries[1:] if not all(e.msgstr.values()) or not e.msgstr]
    assert not fuzzy, f"fuzzy entries in {PO.name}: {fuzzy}"
    assert not empty, f"untranslated entries in {PO.name}: {empty}"
    assert "Language: zh_Hant" in entries[0].msgstr[0]


def test_translations_keep_placeholders_and_markup():
    changed = [
        (e.msgid, translated)
        for e in committed_entries()[1:]
        for translated in e.msgstr.values()
        if sorted(KEPT_TOKENS.findall(e.msgid)) != sorted(KEPT_TOKENS.findall(translated))
    ]
    assert not changed, f"placeholders or HTML differ: {changed}"


# English a Chinese translation may keep from its msgid: units, lab abbreviations, product,
# command and slogan names. Any other English word carried over means the entry (or part of
# it) was left in English, as the KDIGO grid's "1 if CKD" was on the Chinese page.
KEPT_IN_ENGLISH = {
    *("mg", "dL", "ml", "min", "mmHg"),
    *("eGFR", "HBeAg", "HBsAg", "Anti"),
    *("iCalendar", "Excel", "JavaScript", "Hotmail", "Google", "Microsoft", "FreeOTP"),
    *("Authenticator", "healthbank", "cardagent", "serve"),
    *("My", "Data", "Decision"),  # the seed's slogan, "My Data, My Decision"
    *("OAuth", "https", "http", "localhost"),  # protocols and hosts apps are registered with
}
ENGLISH_WORD = re.compile(r"[A-Za-z]*[a-z][A-Za-z]*")
# Addresses, paths and file extensions are not words to translate.
NOT_WORDS = re.compile(r"\S+@\S+|/[\w/.-]*/|\.[a-z]+\b")


def _english_words(text: str) -> set[str]:
    text = NOT_WORDS.sub(" ", KEPT_TOKENS.sub(" ", text))
    return {word for word in ENGLISH_WORD.findall(text) if len(word) > 1}


def test_no_translation_is_left_in_english():
    left = [
        (e.msgid, sorted(words))
        for e in committed_entries()[1:]
        for translated in e.msgstr.values()
        if (words := (_english_words(translated) & _english_words(e.msgid)) - KEPT_IN_ENGLISH)
    ]
    assert not left, f"English words kept in {PO.name} translations: {left}"


def _copy_source(destination: Path) -> None:
    def ignore(directory: str, names: list[str]) -> set[str]:
        skipped = set()
        for name in names:
            path = Path(directory, name)
            if path.is_dir():
                if name in SKIPPED_DIRS or name.startswith(".") or name.endswith(".egg-info"):
                    skipped.add(name)
            elif path.suffix not in SOURCE_SUFFIXES:
                skipped.add(name)
        return skipped

    shutil.copytree(REPO, destination, ignore=ignore)


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext (xgettext) not on PATH")
def test_every_source_string_is_in_the_catalogue(tmp_path, settings, monkeypatch):
    # makemessages writes preprocessed templates next to them, so it runs on a copy.
    source = tmp_path / "src"
    _copy_source(source)
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    monkeypatch.chdir(source)
    call_command("makemessages", locale=["zh_Hant"], keep_pot=True, verbosity=0)

    pot = (tmp_path / "locale" / "django.pot").read_text(encoding="utf-8")
    in_source = {e.key for e in parse_po(pot) if e.msgid}
    in_catalogue = {e.key for e in committed_entries()}
    assert len(in_source) > 100
    missing = sorted(msgid for _, msgid in in_source - in_catalogue)
    assert not missing, (
        f"strings missing from {PO.relative_to(REPO)}; run makemessages, translate them and "
        f"compilemessages: {missing}"
    )


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext (msgfmt) not on PATH")
def test_committed_mo_matches_the_po(tmp_path):
    fresh = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", fresh, PO], check=True)  # noqa: S603, S607
    with fresh.open("rb") as compiled, MO.open("rb") as committed:
        # _catalog is the whole message table GNUTranslations read from the file.
        expected = gettext.GNUTranslations(compiled)._catalog
        actual = gettext.GNUTranslations(committed)._catalog
    stale = sorted(str(k) for k in expected.keys() ^ actual.keys())
    stale += sorted(str(k) for k in expected.keys() & actual.keys() if expected[k] != actual[k])
    assert not stale, f"{MO.name} is out of date; run compilemessages. Differing: {stale}"


def test_models_speak_chinese_by_default_and_english_on_request():
    with translation.override("zh-hant"):
        assert str(Person._meta.verbose_name) == "民眾"
        assert str(Enrolment.Status.ACTIVE.label) == "在保"
    with translation.override("en"):
        assert str(Person._meta.verbose_name) == "person"
        assert str(Enrolment.Status.ACTIVE.label) == "Insured (在保)"
