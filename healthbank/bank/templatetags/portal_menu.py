"""`{% portal_menu section granted %}`: the portal's menu, the same for every reader of a
language, rendered once per language, open section and set of granted categories (a family
member's menu leaves out what they may not open, bank/grants.py), and kept for the life of
the process (it is drawn from bank/menu.py, which only changes with the code)."""

from __future__ import annotations

import functools

from django import template
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import SafeString

from healthbank.bank.grants import openable
from healthbank.bank.menu import SECTIONS

register = template.Library()


@register.simple_tag
def portal_menu(section: str, granted: frozenset[str] | None = None) -> SafeString:
    """The menu's sections with their pages; `section` (a URL name) is marked current."""
    section = section if isinstance(section, str) else ""
    return _rendered(translation.get_language(), section, granted)


@functools.lru_cache(maxsize=512)
def _rendered(language: str, section: str, granted: frozenset[str] | None) -> SafeString:
    with translation.override(language):
        menu = openable(SECTIONS, granted)
        return SafeString(
            render_to_string("bank/includes/menu.html", {"menu": menu, "section": section})
        )
