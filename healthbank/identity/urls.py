from django.urls import path

from healthbank.identity import imagecode, views

app_name = "identity"
urlpatterns = [
    path("register/", views.register_home, name="register"),
    path("register/apply/", views.apply_rules, name="apply"),
    path("register/apply/card/", views.apply_card, name="apply_card"),
    path("register/apply/details/", views.apply_details, name="apply_details"),
    path("register/apply/sent/", views.apply_sent, name="apply_sent"),
    path("register/confirm/<str:token>/", views.confirm, name="confirm"),
    path("register/resend/", views.resend, name="resend"),
    path("register/delete/", views.delete, name="delete"),
    path("register/forgot/", views.forgot, name="forgot"),
    path("register/reset/<str:token>/", views.reset, name="reset"),
    path("register/password/", views.change_password, name="change_password"),
    path("register/account/", views.update_account, name="update_account"),
    path("register/device/", views.device_code, name="device_code"),
    path("register/devices/", views.devices, name="devices"),
    path("register/devices/<int:binding_id>/enable/", views.device_enable, name="device_enable"),
    path("register/devices/<int:binding_id>/disable/", views.device_disable, name="device_disable"),
    path("register/challenge/", views.challenge, name="challenge"),
    path("register/divisions/", views.divisions, name="divisions"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("captcha/spoken/<slug:key>.wav", imagecode.spoken, name="image_code_audio"),
]
