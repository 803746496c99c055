"""The staff pages' admin site (/staff/): a session reaches it only after both the password
and the second factor (django-otp's OTPMiddleware marks such a session verified).

StaffAdminConfig makes this site `django.contrib.admin.site`, so every app's admin.py
registers on it. Its sign-in is identity.staff_views: the password, then the authenticator
code, or enrolment at the first sign-in.

Every admin view goes through `admin_view`, which puts staff_reads' guard around the views of
a person's data: staff say why before they see it, and the read is audited under the person.
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

    def admin_view(self, view, cacheable=False):
        from healthbank.identity import staff_reads

        return super().admin_view(staff_reads.guarded(view), cacheable)

    def login(self, request, extra_context=None):
        from healthbank.identity import staff_views

        return staff_views.password_step(request, self, extra_context)

    def get_urls(self):
        from healthbank.identity import staff_views

        def code(request):
            return staff_views.code_step(request, self)

        def enrol(request):
            return staff_views.enrol_step(request, self)

        def reason(request):
            from healthbank.identity import staff_reads

            return staff_reads.reason_view(request, self)

        own = [
            path("reason/", self.admin_view(reason), name="read_reason"),
            path("login/code/", code, name="login_code"),
            path("login/enrol/", enrol, name="login_enrol"),
        ]
        return own + super().get_urls()
