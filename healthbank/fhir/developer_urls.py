from django.urls import path

from healthbank.fhir import developer_views as views

app_name = "developers"
urlpatterns = [
    path("", views.home, name="home"),
    path("signup/", views.sign_up, name="signup"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("apps/new/", views.app_new, name="app_new"),
    path("apps/<int:listing_id>/", views.app_detail, name="app"),
]
