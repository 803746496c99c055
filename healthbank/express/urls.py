"""The NHI Express (健保快易通) mobile web app at /app/."""

from django.urls import path  # noqa: F401

app_name = "express"
urlpatterns: list = []
