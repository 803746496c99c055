from django.conf import settings
from django.http import HttpRequest


def card_agent(request: HttpRequest) -> dict:
    """Where the pages' scripts find the card agent (健保卡元件)."""
    return {"CARD_AGENT_URL": settings.CARD_AGENT_URL}
