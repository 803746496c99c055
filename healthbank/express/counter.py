"""What counter.js (行動櫃檯, the app's personal e-services) says to the person, translated
here and sent with the shell's other strings (views.STRINGS), so the script holds no text."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

COUNTER_STRINGS = {
    "counter_no_card": _("You have no valid NHI card."),
    "counter_no_applications": _("You have not applied for a card online."),
    "counter_no_cards": _("No NHI card is on record for you."),
    "counter_issued_on": _("Issued on %(date)s"),
    "counter_submitted_on": _("Submitted on %(date)s"),
    "counter_fee": _("Fee NT$%(fee)s"),
    "counter_fee_note": _(
        "This card costs NT$%(fee)s, taken from your own bank account when you apply; your "
        "registration password is asked again."
    ),
    "counter_posted_to": _("Posted to: %(address)s"),
    "counter_need_confirm": _("Tick the box to confirm that your card is lost."),
    "counter_need_password": _("Enter your registration password."),
    "counter_confirm_lost": _(
        "Report card %(card)s lost? It stops working at once and cannot be used again."
    ),
    "counter_confirm_lost_yes": _("Report it lost"),
    "counter_confirm_lost_no": _("Not now"),
    "counter_applied": _(
        "Your application is filed. NHIA staff review it; you are told by e-mail, and its "
        "status is below."
    ),
    "counter_need_photo": _("Upload your ID photo."),
    "counter_issued": _("Certificate issued: %(name)s"),
    "counter_download": _("Download"),
    "counter_valid_until": _("Valid until %(date)s"),
    "counter_owed": _("Owed NT$%(amount)s"),
    "counter_due": _("Due %(date)s"),
    "counter_overdue": _("Overdue"),
    "counter_in_plan": _("In an instalment plan"),
    "counter_slip": _("Payment slip"),
    "counter_total": _("Total owed"),
    "counter_overdue_total": _("Of which overdue"),
    "counter_latest": _("Latest bill"),
    "counter_nothing_owed": _("You owe no premiums."),
    "counter_no_payments": _("No premiums paid by transfer are on record."),
    "counter_payments_of": _("Premiums paid by transfer in %(year)s"),
    "counter_amount": _("NT$%(amount)s"),
    "counter_month": _("Premium of %(month)s"),
    "counter_registered_only": _("None: post goes to your registered address."),
    "counter_address_changed": _(
        "Your mailing address is changed: notices, bills and NHI cards go there from today. A "
        "confirmation was e-mailed to you."
    ),
    "counter_address_registered": _("Your post goes to your registered address again from today."),
    "counter_choose": _("Choose"),
}
