"""The personal e-services' list (個人健保資料網路服務作業), in seed 000's order and wording.

One place for it: the e-services home lists it, and the person's access record names the
e-service pages they (or anyone) read by it. A service's pages are its URL name and any
name that begins with it and an underscore (`billing:unpaid`, `billing:unpaid_slip`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Service:
    title: Promise
    url_name: str

    def owns(self, view_name: str) -> bool:
        return view_name == self.url_name or view_name.startswith(self.url_name + "_")


SERVICES = (
    Service(_("NHI card applications"), "cards:card"),  # 申辦健保卡作業
    Service(
        _("Enrolment, transfer, suspension and resumption at the township office"),
        "township:township",
    ),
    Service(_("Change of mailing address"), "billing:address"),  # 通訊地址變更
    Service(_("Unpaid premiums: query, download and simple instalments"), "billing:unpaid"),
    Service(
        _("Enrolment history of you and your dependants: query and print"),
        "eservices:enrolment",
    ),
    Service(_("Certificate of insurance in Chinese and English"), "certificates:insurance"),
    Service(_("Certificate of premiums paid"), "certificates:premiums"),
    Service(_("One-time direct debit of premiums"), "billing:debit"),  # 保險費單次約定轉帳
    Service(
        _("Premiums paid by transfer and dividend and interest bills: query and print"),
        "billing:transfers",
    ),
    Service(_("Bill delivery and cycle: apply or change"), "billing:delivery"),
    Service(_("Notices sent to you: query and print"), "billing:notices"),
    Service(
        _("Premium reductions and subsidies, supplementary premium exemptions"),
        "eservices:subsidies",
    ),
    Service(_("Catastrophic illness, reimbursement and prior review: progress"), "eservices:cases"),
    Service(_("Your latest adult preventive health check"), "eservices:preventive"),
    Service(_("This month's electronic bill: apply or download"), "billing:ebill"),
    Service(
        _("Employer's insured amount, tobacco tax and lottery subsidies: query and print"),
        "eservices:contributions",
    ),
)


def service_of(view_name: str) -> Service | None:
    """The service a page (a namespaced view name) belongs to, if any."""
    return next((s for s in SERVICES if s.owns(view_name)), None)
