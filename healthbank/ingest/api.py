"""The providers' and agencies' upload API, /providers/api/v1/: send a file as a batch, follow
it, download its problems. Authorization: Bearer <credential token> (issued by NHIA staff);
a provider sees only its own batches. Errors are {code, message} as in /api/v1/."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from typing import TYPE_CHECKING, Annotated, Any

from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.urls import reverse
from ninja import Field, NinjaAPI, Path, Schema, Status
from ninja.errors import AuthenticationError, ValidationError
from ninja.params.functions import Query  # what ninja's Query calls, typed for mypy
from ninja.security import HttpBearer

from healthbank.core import badrequest
from healthbank.core.http import MAX_OFFSET
from healthbank.core.schemas import ErrorOut
from healthbank.core.spreadsheets import safe_cell
from healthbank.ingest import selectors, services
from healthbank.ingest.models import Batch, Credential

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

READ_BYTES = 1024 * 1024
CONTENT_TYPES = {
    "application/x-ndjson": "ndjson",
    "application/ndjson": "ndjson",
    "application/jsonl": "ndjson",
    "text/csv": "csv",
    "application/fhir+json": "fhir",
}
EXTENSIONS = {".ndjson": "ndjson", ".jsonl": "ndjson", ".csv": "csv", ".json": "fhir"}
FORMATS = ["ndjson", "csv", "fhir"]
STATUS = {
    "credential_invalid": 401,
    "not_found": 404,
    "too_large": 413,
    "quota_exceeded": 429,
    "unknown_format": 400,
    "empty_file": 400,
    "not_text": 400,
    "not_a_bundle": 400,
    "invalid_request": 400,
}


class CredentialBearer(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Credential | None:
        return services.authenticate(token)


class CredentialRequest(HttpRequest):
    """A request CredentialBearer let in: ninja sets `auth` to the provider's credential."""

    auth: Credential


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
badrequest.for_api(api)  # malformed, too large or non-UTF-8 bodies: {code, message}


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
# Numbers the database takes: a larger one is refused (400), not a database error.
MAX_ID = 2**63 - 1
BatchId = Annotated[int, Path(ge=1, le=MAX_ID)]


def _error(
    request: HttpRequest, code: str, message: StrOrPromise, status: int | None = None
) -> HttpResponse:
    return api.create_response(
        request, {"code": code, "message": str(message)}, status=status or STATUS.get(code, 400)
    )


@api.exception_handler(services.IngestError)
def _refused(request: HttpRequest, exc: services.IngestError) -> HttpResponse:
    return _error(request, exc.code, exc.message)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, "credential_invalid", "The credential is unknown or revoked.")


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return _error(request, "invalid_request", "The request is not valid; check the fields sent.")


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, "not_found", "No such batch.")


def _out(batch: Batch) -> dict[str, Any]:
    duration = batch.duration
    return {
        **{name: getattr(batch, name) for name in BatchOut.model_fields if hasattr(batch, name)},
        "id": batch.pk,
        "duration_seconds": duration.total_seconds() if duration else None,
        "problems_url": reverse("providers_api:problems", args=[batch.pk]),
    }


def _one(name: str, values: list[str], allowed: list[str]) -> str | None:
    """The value of a query or form field: every value sent must be allowed (`true` and
    nothing else for true), and the last one counts (the form's come after the query's)."""
    if any(value not in allowed for value in values):
        code = "unknown_format" if name == "format" else "invalid_request"
        raise services.IngestError(code, f"{name} must be one of: {', '.join(allowed)}.")
    return values[-1] if values else None


def _format(request: HttpRequest, chosen: list[str], name: str, default: str | None) -> str:
    """The format: the body's Content-Type when it names one, else `format` (the form's,
    else the query's), else the file name's extension, else `default`."""
    asked = _one("format", chosen, FORMATS)
    content_type = (request.content_type or "").split(";")[0].strip().lower()
    by_name = next((f for ext, f in EXTENSIONS.items() if name.lower().endswith(ext)), None)
    found = CONTENT_TYPES.get(content_type) or asked or by_name or default
    if found is None:
        raise services.IngestError(
            "unknown_format", "Say the format: ?format=ndjson, csv or fhir (or a form field)."
        )
    return found


def _stream(request: HttpRequest) -> Iterator[bytes]:
    while chunk := request.read(READ_BYTES):
        yield chunk


def _declared_size(request: HttpRequest) -> int | None:
    try:
        return int(request.META.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None


class _LimitedUpload(TemporaryFileUploadHandler):
    """A form's file goes to a temporary file as with Django's own handler, but only up to
    the size limit and the credential's quota: a file too large is refused as it arrives,
    not once it fills the disk."""

    def __init__(self, request: HttpRequest, held: int):
        super().__init__(request)
        self.held, self.received = held, 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        try:
            services.check_room(format="", size=self.received, held=self.held)
        except services.IngestError:
            self.file.close()  # a temporary file: closing deletes it
            raise
        return super().receive_data_chunk(raw_data, start)


TEXT_FILE = {"type": "string", "minLength": 1, "description": "UTF-8 text"}
UPLOAD_DOC = {
    "requestBody": {
        "required": True,
        "description": (
            "The file, UTF-8 text: either the raw body (Content-Type application/x-ndjson, "
            "text/csv or application/fhir+json, or another with ?format=) or "
            "multipart/form-data with the fields file (a file part, or a text field), format "
            "and all_or_nothing. What is not UTF-8 text (a picture, an archive) is refused "
            "at once; each line, row or entry is checked when the batch is processed."
        ),
        "content": {
            "application/x-ndjson": {
                "schema": {**TEXT_FILE, "contentMediaType": "application/x-ndjson"}
            },
            "text/csv": {"schema": {**TEXT_FILE, "contentMediaType": "text/csv"}},
            "application/fhir+json": {
                "schema": {"type": "object", "description": "a FHIR R4 Bundle"}
            },
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "file": TEXT_FILE,
                        "format": {
                            "type": "string",
                            "enum": FORMATS,
                            "default": "ndjson",
                            "description": "else ?format=, else the file name's extension",
                        },
                        "all_or_nothing": {"type": "boolean"},
                    },
                    "required": ["file"],
                }
            },
        },
    },
    "parameters": [
        {
            "in": "query",
            "name": "format",
            "schema": {"type": "string", "enum": FORMATS},
            "description": "the format, when the body's Content-Type does not name one",
        },
        {"in": "query", "name": "all_or_nothing", "schema": {"type": "boolean"}},
        {"in": "query", "name": "name", "schema": {"type": "string"}, "required": False},
    ],
}
UPLOAD_ERRORS = {**ERRORS, 429: ErrorOut}


@api.post("/batches", response={202: BatchOut, **UPLOAD_ERRORS}, openapi_extra=UPLOAD_DOC)
def upload(request: CredentialRequest) -> Status[dict[str, Any]]:
    """Sends a file; it is processed in the background. 202 with the batch to follow.
    Refused at once: a file over the size limit (413 too_large; a FHIR Bundle has a lower
    one), one that would pass the credential's quota of files held at once (429
    quota_exceeded: its batches still waiting, and those with problems, whose files are kept
    some days), an empty one, or one whose start is not UTF-8 text (400 not_text)."""
    credential = request.auth
    chosen, whole = request.GET.getlist("format"), request.GET.getlist("all_or_nothing")
    declared_size = None
    if request.content_type == "multipart/form-data":
        request.upload_handlers = [_LimitedUpload(request, services.held_bytes(credential))]
        upload = request.FILES.get("file")
        text = request.POST.get("file")  # a client may send the text as a plain field
        if upload is not None:
            name, chunks = upload.name or "", upload.chunks(READ_BYTES)
        elif text is not None:
            name, chunks = request.GET.get("name", ""), iter([text.encode()])
        else:
            raise services.IngestError("invalid_request", "The form needs a file field.")
        chosen += request.POST.getlist("format")
        whole += request.POST.getlist("all_or_nothing")
        default = "ndjson"
    else:
        name, chunks = request.GET.get("name", ""), _stream(request)
        declared_size, default = _declared_size(request), None
    batch = services.receive_batch(
        credential=credential,
        chunks=chunks,
        format=_format(request, chosen, name, default),
        all_or_nothing=_one("all_or_nothing", whole, ["true", "false"]) == "true",
        file_name=name,
        declared_size=declared_size,
        json_object=request.content_type == "application/fhir+json",
    )
    return Status(202, _out(batch))


@api.get("/batches", response={200: list[BatchOut], **ERRORS})
def batches(
    request: CredentialRequest,
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> list[dict[str, Any]]:
    """This provider's batches, newest first."""
    return [_out(b) for b in selectors.batches(request.auth.provider, limit=limit, offset=offset)]


@api.get("/batches/{batch_id}", response={200: BatchOut, **ERRORS})
def batch(request: CredentialRequest, batch_id: BatchId) -> dict[str, Any]:
    """One batch: status, counts, duration."""
    return _out(selectors.batch(request.auth.provider, batch_id))


@api.get(
    "/batches/{batch_id}/problems.csv",
    url_name="problems",
    response={200: None, **ERRORS},
    openapi_extra={
        "responses": {
            200: {"description": "CSV: position, field, message", "content": {"text/csv": {}}}
        }
    },
)
def problems(request: CredentialRequest, batch_id: BatchId) -> StreamingHttpResponse:
    """The batch's problems as CSV: position (line or Bundle entry), field, message."""
    rows = selectors.problems(request.auth.provider, batch_id)

    def lines() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["position", "field", "message"])
        for problem in rows:
            writer.writerow(
                [problem.position, safe_cell(problem.field), safe_cell(problem.message)]
            )
            if buffer.tell() > 64 * 1024:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="batch-{batch_id}-problems.csv"'
    return response
