"""/providers/: the providers' and agencies' upload API."""

from django.urls import path

from healthbank.ingest.api import api

urlpatterns = [path("api/v1/", api.urls)]
