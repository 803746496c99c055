"""Premium bills, payments and notices in the personal e-services, under /eservice/billing/."""

from django.urls import path  # noqa: F401

app_name = "billing"
urlpatterns: list = []
