from django.urls import path

from healthbank.bank import views

app_name = "bank"
urlpatterns = [
    path("", views.home, name="home"),
    path("session/", views.session_status, name="session"),
    path("session/keepalive/", views.keepalive, name="keepalive"),
]
