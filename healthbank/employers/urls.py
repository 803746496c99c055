from django.urls import path

from healthbank.employers import views

app_name = "employers"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("batches/", views.batch_list, name="batches"),
    path("batches/new/", views.batch_new, name="batch_new"),
    path("batches/<int:batch_id>/", views.batch_detail, name="batch"),
    path("batches/<int:batch_id>/result.csv", views.batch_result, name="batch_result"),
]
