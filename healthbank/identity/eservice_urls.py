"""Personal NHI e-services (個人健保資料網路服務作業) at /eservice/."""

from django.urls import path

from healthbank.identity import eservice

app_name = "eservice"
urlpatterns = [
    path("", eservice.home, name="home"),
    path("login/", eservice.login_view, name="login"),
    path("logout/", eservice.logout_view, name="logout"),
    path("mobile-account/", eservice.mobile_account, name="mobile_account"),
    path("device/", eservice.device_code, name="device_code"),
    path("devices/", eservice.devices, name="devices"),
    path("devices/<int:binding_id>/enable/", eservice.device_enable, name="device_enable"),
    path("devices/<int:binding_id>/disable/", eservice.device_disable, name="device_disable"),
]
