"""The providers' and agencies' upload API, /providers/api/v1/: send a file as a batch, follow
it, download its problems. Authorization: Bearer <credential token> (issued by NHIA staff);
a provider sees only its own batches. Errors are {code, message} as in /api/v1/."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator

from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.urls import reverse
from ninja import Field, NinjaAPI, Schema, Status
from ninja.errors import AuthenticationError, ValidationError
from ninja.security import HttpBearer

from healthbank.ingest import rules, selectors, services
from healthbank.ingest.models import Batch, Credential
from healthbank.vcard.providers import router as vcard_router
from healthbank.vcard.services import VcardError

READ_BYTES = 1024 * 1024
CONTENT_TYPES = {
    "application/x-ndjson": "ndjson",
    "application/ndjson": "ndjson",
    "application/jsonl": "ndjson",
    "text/csv": "csv",
    "application/fhir+json": "fhir",
}
EXTENSIONS = {".ndjson": "ndjson", ".jsonl": "ndjson", ".csv": "csv", ".json": "fhir"}
STATUS = {
    "credential_invalid": 401,
    "not_found": 404,
    "too_large": 413,
    "unknown_format": 400,
    "empty_file": 400,
    "invalid_request": 400,
}


class CredentialBearer(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Credential | None:
        return services.authenticate(token)


api = NinjaAPI(
    urls_namespace="providers_api",
    title="healthbank provider feeds",
    version="1",
    description=(
        "Upload records as batches (NDJSON, CSV per record type, or FHIR R4 Bundles; schemas "
        "in healthbank/ingest/schemas/), follow their processing and download their problems."
    ),
    docs_url=None,
    auth=CredentialBearer(),
)


class ErrorOut(Schema):
    code: str
    message: str


class BatchOut(Schema):
    id: int
    format: str
    file_name: str
    status: str = Field(description="received, processing, done or failed")
    all_or_nothing: bool
    size: int
    received: int = Field(description="rows read so far")
    accepted: int
    rejected: int
    voided: int
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    duration_seconds: float | None
    problems_url: str


ERRORS = {code: ErrorOut for code in (400, 401, 404, 413)}


def _error(
    request: HttpRequest, code: str, message: str, status: int | None = None
) -> HttpResponse:
    return api.create_response(
        request, {"code": code, "message": str(message)}, status=status or STATUS.get(code, 400)
    )


@api.exception_handler(services.IngestError)
def _refused(request: HttpRequest, exc: services.IngestError) -> HttpResponse:
    return _error(request, exc.code, exc.message)


@api.exception_handler(VcardError)
def _vcard_refused(request: HttpRequest, exc: VcardError) -> HttpResponse:
    return _error(request, exc.code, exc.message, VcardError.STATUS.get(exc.code, 400))


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc) -> HttpResponse:
    return _error(request, "credential_invalid", "The credential is unknown or revoked.")


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc) -> HttpResponse:
    return _error(request, "invalid_request", "The request is not valid; check the fields sent.")


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc) -> HttpResponse:
    return _error(request, "not_found", "No such batch.")


def _out(batch: Batch) -> dict:
    duration = batch.duration
    return {
        **{name: getattr(batch, name) for name in BatchOut.model_fields if hasattr(batch, name)},
        "id": batch.pk,
        "duration_seconds": duration.total_seconds() if duration else None,
        "problems_url": reverse("providers_api:problems", args=[batch.pk]),
    }


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def _format(request: HttpRequest, chosen: str | None, name: str) -> str:
    if chosen:
        return chosen
    content_type = request.content_type.split(";")[0].strip().lower()
    if content_type in CONTENT_TYPES:
        return CONTENT_TYPES[content_type]
    for extension, found in EXTENSIONS.items():
        if name.lower().endswith(extension):
            return found
    raise services.IngestError(
        "unknown_format", "Say the format: ?format=ndjson, csv or fhir (or a form field)."
    )


def _stream(request: HttpRequest) -> Iterator[bytes]:
    while chunk := request.read(READ_BYTES):
        yield chunk


UPLOAD_DOC = {
    "requestBody": {
        "description": (
            "The file: either the raw body (Content-Type application/x-ndjson, text/csv or "
            "application/fhir+json, or ?format=) or multipart/form-data with the fields file, "
            "format and all_or_nothing."
        ),
        "content": {
            "application/x-ndjson": {"schema": {"type": "string", "format": "binary"}},
            "text/csv": {"schema": {"type": "string", "format": "binary"}},
            "application/fhir+json": {"schema": {"type": "object"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "format": {"type": "string", "enum": ["ndjson", "csv", "fhir"]},
                        "all_or_nothing": {"type": "boolean"},
                    },
                    "required": ["file"],
                }
            },
        },
    },
    "parameters": [
        {"in": "query", "name": "format", "schema": {"type": "string"}, "required": False},
        {"in": "query", "name": "all_or_nothing", "schema": {"type": "boolean"}},
        {"in": "query", "name": "name", "schema": {"type": "string"}, "required": False},
    ],
}


@api.post("/batches", response={202: BatchOut, **ERRORS}, openapi_extra=UPLOAD_DOC)
def upload(request: HttpRequest):
    """Sends a file; it is processed in the background. 202 with the batch to follow."""
    credential: Credential = request.auth
    if request.content_type == "multipart/form-data":
        upload = request.FILES.get("file")
        if upload is None:
            raise services.IngestError("invalid_request", "The form needs a file field.")
        name = upload.name or ""
        chosen = request.POST.get("format") or request.GET.get("format")
        whole = request.POST.get("all_or_nothing") or request.GET.get("all_or_nothing")
        chunks: Iterator[bytes] = upload.chunks(READ_BYTES)
    else:
        name = request.GET.get("name", "")
        chosen, whole = request.GET.get("format"), request.GET.get("all_or_nothing")
        chunks = _stream(request)
    batch = services.receive_batch(
        credential=credential,
        chunks=chunks,
        format=_format(request, chosen, name),
        all_or_nothing=_flag(whole),
        file_name=name,
    )
    return Status(202, _out(batch))


@api.get("/batches", response={200: list[BatchOut], **ERRORS})
def batches(request: HttpRequest, limit: int = 50, offset: int = 0):
    """This provider's batches, newest first (limit at most 500)."""
    limit, offset = min(max(limit, 1), 500), max(offset, 0)
    return [_out(b) for b in selectors.batches(request.auth.provider, limit=limit, offset=offset)]


@api.get("/batches/{batch_id}", response={200: BatchOut, **ERRORS})
def batch(request: HttpRequest, batch_id: int):
    """One batch: status, counts, duration."""
    return _out(selectors.batch(request.auth.provider, batch_id))


def _cell(value: object) -> str:
    # Our messages quote the provider's values; a spreadsheet must not run them.
    text = str(value)
    return "'" + text if text.startswith(rules.FORMULA_PREFIXES) else text


@api.get(
    "/batches/{batch_id}/problems.csv",
    url_name="problems",
    response={200: None, **ERRORS},
    openapi_extra={"responses": {200: {"description": "CSV: position, field, message",
                                       "content": {"text/csv": {}}}}},
)  # fmt: skip
def problems(request: HttpRequest, batch_id: int):
    """The batch's problems as CSV: position (line or Bundle entry), field, message."""
    rows = selectors.problems(request.auth.provider, batch_id)

    def lines() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["position", "field", "message"])
        for problem in rows:
            writer.writerow([problem.position, _cell(problem.field), _cell(problem.message)])
            if buffer.tell() > 64 * 1024:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="batch-{batch_id}-problems.csv"'
    return response


api.add_router("/vcard", vcard_router)
