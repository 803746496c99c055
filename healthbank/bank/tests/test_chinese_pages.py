"""Every portal page in Chinese (the default language) shows no English UI words.

The catalogue test (core/tests/test_translations.py) finds translations left in English;
this one finds what never reached the catalogue: a label built in code, a string compared
in a template, a word outside `{% translate %}`. It signs in as the personas with the most
kinds of records (and as a mother viewing her daughter's), and follows the portal's own
links once per page kind, so detail pages (a visit, a lab trend, a discharge summary, an
event) are read too.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.urls import Resolver404, resolve, reverse

from healthbank.people.models import Person
from tests.fixtures.personas import CHANG, CHEN, LEE, LIN, LIN_DAUGHTER

pytestmark = pytest.mark.django_db

# English words of the portal's own UI (the msgids' common words) that a Chinese page must
# not show. Records keep what providers wrote (imaging reports are written in English), and
# abbreviations (eGFR, HbA1c, QR Code) are Chinese usage too, so this is a list, not "any
# Latin letters".
UI_WORDS = {
    *("an", "the", "of", "and", "or", "if", "to", "in", "on", "at", "by", "for", "from"),
    *("with", "without", "is", "are", "was", "not", "no", "yes", "none", "you", "your", "my"),
    *("per", "year", "years", "month", "day", "days", "date", "page", "next", "previous"),
    *("total", "show", "all", "more", "back", "visit", "visits", "record", "records"),
    *("result", "results", "provider", "category", "stage", "here", "follow", "times"),
    *("welcome", "sign", "download", "file", "name", "amount", "points", "normal", "unknown"),
}
# Whole words only (not the A of A1 or the a of G3a); all-capital words are codes (IN, ACR).
WORD = re.compile(r"(?<![A-Za-z0-9])[A-Za-z][a-z]*(?![A-Za-z0-9])")
# Text a page shows as its providers wrote it (the findings and impression of a report).
DATA_CLASSES = {"lab-report"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
SKIPPED_TAGS = {"script", "style", "template"}
READ_ATTRIBUTES = ("aria-label", "alt", "title", "placeholder")
NOT_PAGES = {"calendar_ics", "event_delete", "measurement_delete", "switch", "session"}


class VisibleText(HTMLParser):
    """What a reader sees or hears: text and labelling attributes, outside scripts, parts
    marked as another language and provider-written text; plus the page's links."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[bool] = []  # per open element: is its content skipped?
        self.parts: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        skipped = bool(self.stack and self.stack[-1])
        language = attributes.get("lang") or ""
        skipped = skipped or tag in SKIPPED_TAGS or (language and not language.startswith("zh"))
        skipped = skipped or bool(DATA_CLASSES & set((attributes.get("class") or "").split()))
        if not skipped:
            self.parts += [attributes[a] or "" for a in READ_ATTRIBUTES if a in attributes]
        if tag not in VOID:
            self.stack.append(skipped)

    def handle_endtag(self, tag: str) -> None:
        if tag not in VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not (self.stack and self.stack[-1]):
            self.parts.append(data)


def english_ui_words(html: str) -> tuple[set[str], list[str]]:
    parser = VisibleText()
    parser.feed(html)
    text = " ".join(parser.parts)
    return {w for w in WORD.findall(text) if w.lower() in UI_WORDS}, parser.links


def crawl(client) -> dict[str, set[str]]:
    """Each page kind reachable from the portal's menus, once: {path: English UI words}."""
    queue = [reverse("bank:home"), reverse("downloads:home")]
    seen_kinds: set[str] = set()
    found: dict[str, set[str]] = {}
    while queue:
        path = urlsplit(queue.pop(0)).path
        try:
            match = resolve(path)
        except Resolver404:
            continue
        if match.view_name in seen_kinds or match.url_name in NOT_PAGES:
            continue
        if not match.view_name.startswith(("bank:", "downloads:", "help:")):
            continue
        seen_kinds.add(match.view_name)
        response = client.get(path)
        assert response.status_code == 200, path
        if "text/html" not in response["Content-Type"]:
            continue
        words, links = english_ui_words(response.content.decode())
        found[path] = words
        queue += [link for link in links if link.startswith("/")]
    return found


def test_the_parser_reads_labels_and_skips_scripts_english_parts_and_reports():
    html = (
        '<p>病歷 if</p><button aria-label="Close">x</button><script>if (a) {}</script>'
        '<span lang="en">English</span><details class="lab-report"><dd>No ascites.</dd>'
        '<br></details><p>the <a href="/bank/">首頁</a></p>'
    )
    words, links = english_ui_words(html)
    assert words == {"if", "the"}
    assert links == ["/bank/"]


@pytest.mark.parametrize("national_id", [CHEN, CHANG, LEE, LIN])
def test_chinese_pages_show_no_english_ui_words(client, sign_in, national_id):
    sign_in(client, national_id)
    if national_id == LIN:  # the frame and pages as a parent sees a child's records
        daughter = Person.objects.get(national_id=LIN_DAUGHTER)
        client.post(reverse("bank:switch"), {"person": daughter.pk})
    found = crawl(client)
    assert len(found) > 30  # the crawl reached the menus' pages and their detail pages
    stray = {path: sorted(words) for path, words in found.items() if words}
    assert not stray, f"English UI words on Chinese pages: {stray}"
