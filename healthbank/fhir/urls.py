"""/fhir/r4/: the FHIR R4 API (fhir/api.py). `.well-known/smart-configuration` and the
OAuth endpoints are the authorisation server's."""

from django.urls import path, re_path

from healthbank.fhir import api

app_name = "fhir"

_TYPE = r"(?P<resource_type>[A-Z][A-Za-z]{1,40})"
urlpatterns = [
    path("metadata", api.metadata, name="metadata"),
    path("openapi.json", api.openapi_document, name="openapi"),
    re_path(rf"^{_TYPE}/?$", api.search, name="search"),
    re_path(rf"^{_TYPE}/(?P<resource_id>[^/]+)/?$", api.read, name="read"),
    re_path(r"^", api.not_found),  # anything else: an OperationOutcome, not an HTML 404
]
