"""健保快易通 (NHI Express) JSON API, /api/v1: device verification, app sign-in and tokens,
today's data and records. Views are thin: they call identity, downloads and the
categories' person-scoped selectors.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI, Status
from ninja.errors import AuthenticationError, ValidationError
from ninja.security import HttpBearer

from healthbank.api import providers as provider_views
from healthbank.api import records as record_views
from healthbank.api import schemas, tokens
from healthbank.api.models import ApiToken
from healthbank.api.renderers import FastJSONRenderer
from healthbank.audit.services import Action, Actor, client_address, record
from healthbank.core import badrequest
from healthbank.core.schemas import ErrorOut
from healthbank.downloads import selectors as download_selectors
from healthbank.downloads import services as downloads
from healthbank.downloads.models import PackageRequest
from healthbank.downloads.views import REFUSALS
from healthbank.identity import devices
from healthbank.identity.models import DeviceBinding
from healthbank.identity.services import IdentityError, SessionEnded
from healthbank.records.categories import BY_CODE, CATEGORIES, Category

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from healthbank.people.models import Person

# HTTP status of each refusal code; anything else is 400. 400 is for a request the OpenAPI
# document refuses (shape, length, choices); a well-formed request that a rule the document
# cannot state refuses (a mobile number the carrier does not confirm, a date range too long)
# is 422; 401 sign-in, 403 not allowed, 404 nothing of yours, 409 already done or waiting,
# 410 expired, 413 too large, 429 too many tries. The `code` says which rule.
STATUS = {
    "token_invalid": 401,
    "token_expired": 401,
    "device_inactive": 401,
    "account_inactive": 403,
    "device_not_verified": 403,
    "invalid_login": 401,
    "locked": 403,
    "suspended": 403,
    "pending": 403,
    "card_required": 403,
    "reauth_ended": 401,
    "throttled": 429,
    "too_many": 409,
    "not_found": 404,
    "invalid_device": 400,
    "unknown": 404,
    "used": 409,
    "expired": 410,
    "phone_refused": 422,
    "invalid_mobile": 422,
    "invalid_card_digits": 422,
    "password_again": 403,
}

MESSAGES = {
    "not_found": _("Not found."),
    "invalid_request": _("The request is not valid; check the fields sent."),
}


class ApiError(Exception):
    def __init__(self, code: str, message: StrOrPromise):
        super().__init__(code)
        self.code, self.message = code, message


class BearerToken(HttpBearer):
    """Authorization: Bearer <access token>; request.auth is the ApiToken."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken:
        return tokens.check(token, ApiToken.Kind.ACCESS)


class TokenRequest(HttpRequest):
    """A request BearerToken let in: ninja sets `auth` to its access token."""

    auth: ApiToken


api = NinjaAPI(
    urls_namespace="api",
    title="healthbank",
    version="1",
    description="NHI Express (健保快易通) app API",
    docs_url="/docs" if settings.DEBUG else None,
    auth=BearerToken(),
    renderer=FastJSONRenderer(),
)
badrequest.for_api(api)  # malformed, too large or non-UTF-8 bodies: {code, message}
api.add_router("/", provider_views.router)  # 院所查詢 and 急症處理: public

ERRORS = {code: ErrorOut for code in (400, 401, 403, 404, 409, 410, 413, 422, 429)}


def _error(
    request: HttpRequest, code: str, message: StrOrPromise, status: int | None = None
) -> HttpResponse:
    status = status or STATUS.get(code, 400)
    return api.create_response(request, {"code": code, "message": str(message)}, status=status)


@api.exception_handler(tokens.TokenError)
@api.exception_handler(IdentityError)
@api.exception_handler(devices.DeviceError)
@api.exception_handler(ApiError)
def _refused(
    request: HttpRequest, exc: tokens.TokenError | IdentityError | devices.DeviceError | ApiError
) -> HttpResponse:
    return _error(request, exc.code, exc.message)


@api.exception_handler(SessionEnded)
def _session_ended(request: HttpRequest, exc: SessionEnded) -> HttpResponse:
    """Too many wrong passwords asked again: this sign-in's tokens are revoked."""
    token = getattr(request, "auth", None)
    if isinstance(token, ApiToken):
        tokens.revoke_pair(token)
    return _error(request, exc.code, exc.message, 401)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, "token_invalid", tokens.TokenError.MESSAGES["token_invalid"])


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return _error(request, "invalid_request", MESSAGES["invalid_request"])


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, "not_found", MESSAGES["not_found"])


# --- devices and sign-in ----------------------------------------------------------------


def _verified(binding: DeviceBinding) -> dict[str, Any]:
    """The device's new credential (shown once) and whose account it now serves."""
    credential = tokens.issue_credential(binding)
    return {"device_credential": credential, "account": binding.account.person.masked_id}


@api.post("/devices/verify", auth=None, response={201: schemas.VerifyOut, **ERRORS})
def verify(request: HttpRequest, body: schemas.VerifyIn) -> Status[dict[str, Any]]:
    """裝置認證: the typed or scanned code binds this device; the credential is shown once."""
    binding = devices.verify_device(
        code=body.code,
        platform=body.platform,
        model=body.model,
        identifier=body.identifier,
        address=client_address(request),
    )
    return Status(201, _verified(binding))


@api.post("/devices/verify-phone", auth=None, response={201: schemas.VerifyOut, **ERRORS})
def verify_phone(request: HttpRequest, body: schemas.VerifyPhoneIn) -> Status[dict[str, Any]]:
    """行動電話認證: the carrier confirms the number is the person's own monthly plan, and the
    registration password is right; the device is bound as with a code."""
    binding = devices.verify_by_phone(
        card_last4=body.card_last4,
        mobile=body.mobile,
        national_id=body.national_id,
        password=body.password,
        platform=body.platform,
        model=body.model,
        identifier=body.identifier,
        address=client_address(request),
    )
    return Status(201, _verified(binding))


@api.post("/auth/login", auth=None, response={200: schemas.TokensOut, **ERRORS})
def login(request: HttpRequest, body: schemas.LoginIn) -> dict[str, Any]:
    """登入: national ID and password, from the account's verified, active device."""
    _binding, pair = tokens.sign_in(
        national_id=body.national_id,
        password=body.password,
        identifier=body.identifier,
        credential=body.device_credential,
        address=client_address(request),
    )
    return pair


@api.post("/auth/refresh", auth=None, response={200: schemas.TokensOut, **ERRORS})
def refresh(request: HttpRequest, body: schemas.RefreshIn) -> dict[str, Any]:
    """A new token pair; the refresh token sent stops working."""
    return tokens.rotate(body.refresh_token)


@api.post("/auth/logout", response={204: None, **ERRORS})
def logout(request: TokenRequest) -> Status[None]:
    """登出: this access token and its refresh token stop working."""
    tokens.revoke_pair(request.auth)
    return Status(204, None)


@api.get("/devices", response={200: list[schemas.DeviceOut], **ERRORS})
def device_list(request: TokenRequest) -> list[dict[str, Any]]:
    """行動裝置管理: the account's verified devices."""
    current = request.auth.binding
    return [
        {
            "id": binding.pk,
            "platform": binding.device.platform,
            "model": binding.device.model,
            "identifier": binding.masked_identifier,
            "verified_at": binding.verified_at,
            "active": binding.active,
            "this_device": binding.pk == current.pk,
        }
        for binding in devices.devices_of(current.account)
    ]


# --- today's data and records --------------------------------------------------------------


def _today_out(package: PackageRequest) -> dict[str, Any]:
    made = package.status in (PackageRequest.Status.READY, PackageRequest.Status.EMPTY)
    return {
        "request_id": package.pk,
        "requested_on": timezone.localdate(package.requested_at),
        "status": package.status,
        "label": str(package.get_status_display()),
        "categories": [
            {
                "code": choice["code"],
                "label": str(BY_CODE[choice["code"]].label),
                "count": package.row_counts.get(choice["code"], 0) if made else None,
            }
            for choice in package.categories
        ],
    }


@api.post("/today", response={202: schemas.TodayOut, **ERRORS})
def request_today(request: TokenRequest) -> Status[dict[str, Any]]:
    """申請本日資料: every category, merged, made by the worker."""
    person = request.auth.binding.account.person
    try:
        package = downloads.request_everything(person=person, requested_by=person)
    except downloads.DownloadError as refused:
        raise ApiError(refused.code, REFUSALS[refused.code]) from refused
    return Status(202, _today_out(package))


@api.get("/today", response={200: schemas.TodayOut, 204: None, **ERRORS})
def today_latest(request: TokenRequest) -> Status[None] | dict[str, Any]:
    """申請結果: the person's newest request for today's data made today, or 204 (尚未申請).

    Not asked yet is an answer, not an error: the app asks this on every opening (it cannot
    know whether the person asked on another device), and a 404 there was logged as a
    failed request in the browser's console of everyone who had not asked."""
    person = request.auth.binding.account.person
    package = download_selectors.todays_data(person)
    if package is None:
        return Status(204, None)
    return _today_out(package)


@api.get("/today/{request_id}", response={200: schemas.TodayOut, **ERRORS})
def today_status(request: TokenRequest, request_id: int) -> dict[str, Any]:
    """重新整理: where the request is (only the person's own requests)."""
    person = request.auth.binding.account.person
    return _today_out(download_selectors.package(person, request_id))


@api.get("/categories", response={200: list[schemas.CategoryOut], **ERRORS})
def categories(request: HttpRequest) -> list[dict[str, str]]:
    """健康存摺明細: the categories the app can read."""
    return [
        {"code": category.code, "label": str(category.label), "group": str(category.group)}
        for category in CATEGORIES
    ]


def _category(code: str) -> Category:
    found = BY_CODE.get(code)
    if found is None:
        raise Http404
    return found


@api.get("/records/{category}", response={200: list[schemas.RecordOut], **ERRORS})
def records(request: TokenRequest, category: str) -> HttpResponse:
    """A category's rows of the person over the period its page shows, newest first."""
    found = _category(category)
    person = request.auth.binding.account.person
    rows = record_views.items(found, person, timezone.localdate())
    _audit_read(request, person, category)
    # Rendered as they are: each has every key of RecordOut (tests/test_records.py compares
    # them with the schema's output); validating hundreds of rows was most of the time.
    return api.create_response(request, rows, status=200)


@api.get("/records/{category}/{record_id}", response={200: schemas.RecordDetailOut, **ERRORS})
def record_detail(request: TokenRequest, category: str, record_id: int) -> dict[str, Any]:
    """One of the person's rows with every detail, labelled; another person's id is a 404."""
    found = _category(category)
    person = request.auth.binding.account.person
    row = record_views.one(found, person, timezone.localdate(), record_id)
    if row is None:
        raise Http404
    _audit_read(request, person, category)
    return record_views.item(found, row) | {"details": record_views.details(row)}


def _audit_read(request: TokenRequest, person: Person, category: str) -> None:
    """The app's reads are in the person's access record as the portal's pages are (one
    row, committed before the answer goes out)."""
    record(
        action=Action.RECORDS_READ,
        person=person,
        actor=Actor.PERSON,
        actor_id=person.pk,
        address=client_address(request),
        page=f"app:{category}",
    )
