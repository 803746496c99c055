from django.urls import path

from healthbank.downloads import views

app_name = "downloads"
urlpatterns = [
    path("", views.home, name="home"),
    path("list/", views.package_list, name="list"),
    path("<int:pk>/file/", views.download, name="file"),
    path("<int:pk>/retry/", views.retry, name="retry"),
]
