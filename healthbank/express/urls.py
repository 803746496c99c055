"""The NHI Express (健保快易通) mobile web app at /app/."""

from django.urls import path

from healthbank.express import views

app_name = "express"
urlpatterns = [
    path("", views.shell, name="shell"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("sw.js", views.service_worker, name="service_worker"),
]
