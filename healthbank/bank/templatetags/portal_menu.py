"""`{% portal_menu section %}`: the portal's menu, the same for every reader of a language,
rendered once per language and open section and kept for the life of the process (it is
drawn from bank/menu.py, which only changes with the code)."""

from __future__ import annotations

import functools

from django import template
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import SafeString

from healthbank.bank.menu import SECTIONS

register = template.Library()


@register.simple_tag
def portal_menu(section: str) -> SafeString:
    """The menu's sections with their pages; `section` (a URL name) is marked current."""
    return _rendered(translation.get_language(), section if isinstance(section, str) else "")


@functools.cache
def _rendered(language: str, section: str) -> SafeString:
    with translation.override(language):
        return SafeString(
            render_to_string("bank/includes/menu.html", {"menu": SECTIONS, "section": section})
        )
