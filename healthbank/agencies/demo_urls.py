"""/demo/income-query/: the demonstration relying party (agencies/demo.py)."""

from django.urls import path

from healthbank.agencies import demo

app_name = "agencies_demo"
urlpatterns = [
    path("", demo.start, name="start"),
    path("sign-in/", demo.sign_in, name="sign_in"),
    path("callback/", demo.callback, name="callback"),
]
