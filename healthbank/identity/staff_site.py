"""The staff pages' admin site (/staff/): a session reaches it only after both the password
and the second factor (django-otp's OTPMiddleware marks such a session verified).

StaffAdminConfig makes this site `django.contrib.admin.site`, so every app's admin.py
registers on it. Its sign-in is identity.staff_views: the password, then the authenticator
code, or enrolment at the first sign-in.
"""

from __future__ import annotations

from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.sites import AdminSite
from django.urls import path
from django.utils.translation import gettext_lazy as _


class StaffAdminConfig(AdminConfig):
    default_site = "healthbank.identity.staff_site.StaffAdminSite"


class StaffAdminSite(AdminSite):
    site_header = _("My Health Bank staff pages")
    site_title = _("My Health Bank staff pages")

    def has_permission(self, request) -> bool:
        """Active staff whose session passed the second factor; a session that signed in
        any other way (or only half-way) is sent to the sign-in."""
        is_verified = getattr(request.user, "is_verified", None)
        return super().has_permission(request) and bool(is_verified and is_verified())

    def login(self, request, extra_context=None):
        from healthbank.identity import staff_views

        return staff_views.password_step(request, self, extra_context)

    def get_urls(self):
        from healthbank.identity import staff_views

        def code(request):
            return staff_views.code_step(request, self)

        def enrol(request):
            return staff_views.enrol_step(request, self)

        own = [
            path("login/code/", code, name="login_code"),
            path("login/enrol/", enrol, name="login_enrol"),
        ]
        return own + super().get_urls()
