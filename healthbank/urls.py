from django.contrib import admin
from django.urls import include, path

from healthbank import apis
from healthbank.external.views import mailbox

# Requests too large or unreadable: 400/413 with the error page, or an API's {code, message}.
handler400 = "healthbank.core.badrequest.bad_request"
handler500 = "healthbank.core.unavailable.server_error"

urlpatterns = [
    path("", include("healthbank.core.urls")),
    path("", include("healthbank.identity.urls")),
    path("api/v1/", apis.app.urls),
    path("app/", include("healthbank.express.urls")),
    path("eservice/certificates/", include("healthbank.certificates.urls")),
    path("eservice/billing/", include("healthbank.billing.urls")),
    path("eservice/cards/", include("healthbank.cards.urls")),
    path("eservice/township/", include("healthbank.township.urls")),
    path("eservice/services/", include("healthbank.eservices.urls")),
    path("eservice/", include("healthbank.identity.eservice_urls")),
    path("verify/", include("healthbank.certificates.verify_urls")),
    path("bank/downloads/", include("healthbank.downloads.urls")),
    path("bank/", include("healthbank.bank.urls")),
    path("help/", include("healthbank.bank.help_urls")),
    path("units/", include("healthbank.employers.urls")),
    path("providers/api/v1/", apis.providers.urls),
    # Before the FHIR API's fhir/r4/: the discovery documents live under its base.
    path("fhir/", include("healthbank.fhir.oauth_urls")),
    path("developers/", include("healthbank.fhir.developer_urls")),
    path("fhir/r4/", include("healthbank.fhir.urls")),
    path("demo/income-query/", include("healthbank.agencies.demo_urls")),
    path("captcha/", include("captcha.urls")),
    path("dev/mailbox/", mailbox, name="mailbox"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("staff/", admin.site.urls),
]
