"""Personal NHI e-services (個人健保資料網路服務作業) at /eservice/."""

from django.urls import path  # noqa: F401

app_name = "eservice"
urlpatterns: list = []
