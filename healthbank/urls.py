from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "healthbank staff"

urlpatterns = [
    path("", include("healthbank.core.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("staff/", admin.site.urls),
]
