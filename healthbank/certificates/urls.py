"""中英文投保證明 in the personal e-services, under /eservice/certificates/."""

from django.urls import path

from healthbank.certificates import views

app_name = "certificates"
urlpatterns = [
    path("insurance/", views.insurance, name="insurance"),
    path("<int:pk>/download/", views.download, name="download"),
]
