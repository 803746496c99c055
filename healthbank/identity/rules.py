"""Rules of NHI-card online-service registration, each with the seed it comes from.

Counts that operators may tune (wrong passwords before suspension, the per-address limit,
idle timeout) are settings; what the seeds fix is here.
"""

from __future__ import annotations

import datetime as dt
import string

# Seed 000 "新增註冊 6/9" and 003: 註冊密碼長度必需6-12碼.
PASSWORD_MIN_LENGTH = 6
PASSWORD_MAX_LENGTH = 12
# Seed 003: 強式密碼包含英文大寫、英文小寫、數字、特殊符號 ... 並且長度8碼以上.
STRONG_PASSWORD_LENGTH = 8

# Seed 000 "新增註冊 7/9": 如您未於五日內完成健保卡註冊認證程序，本次申請註冊認證即為無效.
CONFIRMATION_VALID_FOR = dt.timedelta(days=5)
# Password-reset links: as long as a confirmation link (the seed gives no other figure).
RESET_VALID_FOR = dt.timedelta(days=5)
# Issue 3: a card-reader challenge is single use and expires after two minutes.
CHALLENGE_VALID_FOR = dt.timedelta(minutes=2)


def password_strength(password: str) -> str:
    """弱/中/中強/強 as the seed's meter shows; strong = all four kinds and 8+ characters.

    static/identity/forms.js mirrors this for the live meter.
    """
    kinds = sum(
        (
            any(c in string.ascii_uppercase for c in password),
            any(c in string.ascii_lowercase for c in password),
            any(c in string.digits for c in password),
            any(not c.isalnum() for c in password),
        )
    )
    long_enough = len(password) >= STRONG_PASSWORD_LENGTH
    if kinds == 4 and long_enough:
        return "strong"
    if kinds >= 3 and long_enough:
        return "medium_strong"
    if kinds >= 2:
        return "medium"
    return "weak"


# --- Mobile device verification (行動裝置認證), issue 6 ---------------------------------------

# Seed 002 shows an 8-character code typed beside the QR code (Dc7242/z); ours leaves out
# look-alikes (0/O, 1/I) and lower case so it can be read aloud and typed on a phone.
DEVICE_CODE_LENGTH = 8
DEVICE_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
# Seed 002 shows 裝置認證碼有效時間至 <time> but not the span; ten minutes is ours.
DEVICE_CODE_VALID_FOR = dt.timedelta(minutes=10)
# Brute force on codes: wrong codes from one device (installation id) or one address
# within the window, after which even a right code is refused until the window passes.
DEVICE_VERIFY_WINDOW = dt.timedelta(minutes=15)
DEVICE_VERIFY_FAILURES_PER_DEVICE = 5
DEVICE_VERIFY_FAILURES_PER_ADDRESS = 20


# --- Staff second factor (issue 18) ----------------------------------------------------------

# Between the right password and the authenticator code (or enrolment) at most this long;
# then the password is asked again.
STAFF_SECOND_STEP_WITHIN = dt.timedelta(minutes=10)
# One-time recovery codes shown once at enrolment, for a lost or replaced phone.
RECOVERY_CODE_COUNT = 10

# --- NHIA staff reading a person's data (issue 25) -------------------------------------------

# Staff say why before they open one person's data at /staff/; the reason holds for that
# person this long in the staff member's session, then is asked again.
READ_REASON_VALID_FOR = dt.timedelta(minutes=15)

# Family access for adults (家人健康存摺, the issue): read-only, up to a year at a time, to a
# registered adult; Civil Code art. 12 as amended in force 2023-01-01: adult at 18.
DELEGATE_MIN_AGE = 18
DELEGATION_MAX = dt.timedelta(days=365)
# The periods the owner chooses from (days); renewal extends from now by one of them.
DELEGATION_PERIODS = (30, 91, 182, 365)
DEFAULT_DELEGATION_PERIOD = 182
