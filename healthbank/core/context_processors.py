from django.conf import settings
from django.http import HttpRequest

FONT_SIZES = ("small", "medium", "large", "huge")  # the seed's 字體大小: 小 / 中 / 大 / 巨


def site(request: HttpRequest) -> dict:
    """Where pages' scripts find the card agent (健保卡元件); whether the demo mailbox exists;
    the reader's font size (kept in a cookie by bank/portal.js, so pages never flash)."""
    font = request.COOKIES.get("font", "medium")
    return {
        "CARD_AGENT_URL": settings.CARD_AGENT_URL,
        "DEV_MAILBOX": settings.DEV_MAILBOX,
        "FONT_SIZE": font if font in FONT_SIZES else "medium",
    }
