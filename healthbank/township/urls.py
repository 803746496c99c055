"""Township office enrolment, transfer, suspension and resumption (申辦公所加保、轉出、停保、
復保) in the personal e-services, under /eservice/township/. The service's pages are named
`township` and `township_…` (identity.eservice_menu)."""

from django.urls import path

from healthbank.township import views

app_name = "township"
urlpatterns = [
    path("", views.township, name="township"),
    path("apply/<slug:kind>/", views.township_apply, name="township_apply"),
    path("<int:pk>/", views.township_application, name="township_application"),
]
