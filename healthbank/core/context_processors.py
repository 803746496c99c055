from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict:
    """Where pages' scripts find the card agent (健保卡元件); whether the demo mailbox exists."""
    return {"CARD_AGENT_URL": settings.CARD_AGENT_URL, "DEV_MAILBOX": settings.DEV_MAILBOX}
