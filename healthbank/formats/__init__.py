"""Locale formats where Taiwan differs from Django's defaults."""
