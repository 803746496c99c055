"""Personal e-services' queries (enrolment, subsidies, cases, preventive check), under
/eservice/services/."""

from django.urls import path  # noqa: F401

app_name = "eservices"
urlpatterns: list = []
