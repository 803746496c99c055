"""Placeholder: being built (issue 4)."""

urlpatterns: list = []
