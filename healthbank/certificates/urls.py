"""中英文投保證明 and 保險費繳納證明下載 in the personal e-services, under /eservice/certificates/.
Each service's pages are named after it (eservice_menu), so the access record names them."""

from django.urls import path

from healthbank.certificates import views

app_name = "certificates"
urlpatterns = [
    path("insurance/", views.insurance, name="insurance"),
    path("insurance/<int:pk>/download/", views.insurance_download, name="insurance_download"),
    path("premiums/", views.premiums, name="premiums"),
    path("premiums/<int:pk>/download/", views.premiums_download, name="premiums_download"),
]
