"""`grouped`: amounts and NHI points with thousands grouped (see healthbank.core.numbers)."""

from django import template

from healthbank.core import numbers

register = template.Library()
register.filter("grouped", numbers.grouped)
