"""/verify/: the public check of a certificate's code, no sign-in."""

from django.urls import path

from healthbank.certificates import views

app_name = "verify"
urlpatterns = [
    path("", views.verify, name="form"),
    path("<str:code>/", views.verify_code, name="code"),
]
