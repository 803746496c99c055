"""Site-wide middleware: the language (Traditional Chinese unless the person chose English
with the switch), the Content-Security-Policy and no-store on answers with personal data."""

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_cache_control

from healthbank.core.http import API_PREFIXES


class ChosenLanguageMiddleware(LocaleMiddleware):
    """Like Django's LocaleMiddleware, but a browser's Accept-Language does not count:
    a national portal opens in zh-Hant and remembers only an explicit choice (cookie)."""

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class NoStoreForPersonalData:
    """Cache-Control: no-store on every answer that may carry personal data, so that no
    browser, proxy or shared cache keeps a copy: the two JSON APIs, every page served to
    someone signed in (a person, an insured unit, staff) or in the middle of a sign-in or
    registration (a session), and every personal download."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if self._personal(request, response):
            # Added to what the view said (private, no-cache...): no-store outranks them all.
            patch_cache_control(response, no_store=True)
        return response

    def _personal(self, request, response) -> bool:
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        return (
            request.path_info.startswith(API_PREFIXES)
            or (user is not None and user.is_authenticated)
            or (session is not None and not session.is_empty())
            or response.get("Content-Disposition", "").startswith("attachment")
        )


class ContentSecurityPolicy(CSPMiddleware):
    """django-csp's header from settings.CONTENT_SECURITY_POLICY, with the card agent that
    pages call with fetch() (settings.CARD_AGENT_URL, as it is now) allowed in connect-src."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only:
            update = dict(parts.update or {})
            update["connect-src"] = [*update.get("connect-src", ()), settings.CARD_AGENT_URL]
            parts.update = update
        return parts
