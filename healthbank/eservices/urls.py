"""Personal e-services' queries (enrolment, subsidies, contributions, cases, preventive check),
under /eservice/services/. Each service's main page has its name in identity.eservice_menu;
its other pages add an underscore and a suffix, so that the access record names them."""

from django.urls import path

from healthbank.eservices import views

app_name = "eservices"
urlpatterns = [
    path("enrolment/", views.enrolment, name="enrolment"),
    path("enrolment/pdf/", views.enrolment_pdf, name="enrolment_pdf"),
    path("subsidies/", views.subsidies, name="subsidies"),
    path("contributions/", views.contributions, name="contributions"),
    path("contributions/pdf/", views.contributions_pdf, name="contributions_pdf"),
    path("cases/", views.cases, name="cases"),
    path("cases/apply/", views.cases_apply, name="cases_apply"),
    path("cases/<int:pk>/", views.cases_detail, name="cases_detail"),
    path("cases/<int:pk>/documents/<int:document>/", views.cases_document, name="cases_document"),
    path("preventive/", views.preventive, name="preventive"),
]
