"""The public help pages' URLs (/help/, namespace `help`); the views are `bank/views/help.py`."""

from django.urls import path

from healthbank.bank.views import help as views

app_name = "help"
urlpatterns = [
    path("guide/", views.guide, name="guide"),
    path("faq/", views.faq, name="faq"),
    path("announcements/", views.announcements, name="announcements"),
    path("announcements/<int:pk>/", views.announcement, name="announcement"),
]
