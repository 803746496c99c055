"""The rules of NHI card applications (申辦健保卡作業), each with where it comes from.

Seed 000 lists the service (個人健保資料網路服務作業: 申辦健保卡作業, and in the registration
mail 申辦健保卡遺失補發作業) but none of its amounts; issue 24 sets the fee. Where a rule is
ours, it says so.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from healthbank.people.models import CardIssuance

Reason = CardIssuance.Reason

# Issue 24: "the NT$200 fee where the rules charge it" (健保卡工本費新臺幣200元).
FEE = 200

# Which reasons pay it. Issue 24 (and NHIA's practice): the first card is free, a replacement
# for a lost or damaged card is charged. A new card because the household registry changed
# the person's data is ours to decide: free, since the change is not the holder's doing.
CHARGED = frozenset({Reason.LOST, Reason.DAMAGED})

# What a person may apply for online (the issuance records also know PHOTO, a counter case).
ONLINE_REASONS = [Reason.FIRST, Reason.LOST, Reason.DAMAGED, Reason.DATA_CHANGE]

# Ours: the card's photo is printed about 3 x 4 cm; 800 px on the longest side is ample and
# the same as the virtual card's portrait (vcard.rules.PORTRAIT_MAX_SIDE).
PHOTO_MAX_SIDE = 800

# Where a card can be picked up: NHIA's six divisions (業務組), as seed 000 lists them with
# their telephone numbers (健保卡網路服務註冊, 讀取健保卡發生錯誤說明).
OFFICES = {
    "taipei": (_("Taipei Division"), "(02)2191-2006"),  # 臺北業務組
    "north": (_("Northern Division"), "(03)433-9111"),  # 北區業務組
    "central": (_("Central Division"), "(04)2258-3988"),  # 中區業務組
    "south": (_("Southern Division"), "(06)224-5678"),  # 南區業務組
    "kaoping": (_("Kaoping Division"), "(07)323-3123"),  # 高屏業務組
    "east": (_("Eastern Division"), "(03)833-2111"),  # 東區業務組
}


def fee_for(reason: str) -> int:
    """The fee (NT$) an application for this reason pays when it is filed."""
    return FEE if reason in CHARGED else 0


# Sensitive actions ask again (STYLE.md), on the website and in the app alike: reporting the
# card lost always (it cannot be undone), applying only where the fee takes money from the
# person's account. The purposes name the check in the audit trail (reauth.failed).
LOST_PURPOSE = "card_lost"
APPLY_PURPOSE = "card_application"


def asks_again_to_apply(reason: str) -> bool:
    """Whether filing an application for this reason asks for the password again."""
    return bool(fee_for(reason))
