"""A clinic's QR verification on PostgreSQL in one prepared statement, answered before
Django's request cycle.

Every visit with a virtual card is one verification, so it is the card's hot path. The
statement does in one round trip what `services.verify_qr` does in six: checks the
credential and that its provider accepts the card, voids the token (the same conditional
update, so of two simultaneous scans one wins), checks the authorisation it was shown under,
writes the audit row and reads the card, the person and today's cover.

Only success is answered here. Anything else (a forged, expired or used code, a wrong
credential, a malformed request, a database error) goes on to the Django view, which finds
the exact refusal and words it in the reader's language: the refusals live in one place.
SQLite (the demo, the tests) always takes the Django view.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterable
from functools import cache

import psycopg
from django.conf import settings
from django.core import signing
from django.db import connections
from django.urls import reverse
from django.utils import timezone

from healthbank.core import proxies
from healthbank.core.credentials import token_parts
from healthbank.vcard import qr, services

log = logging.getLogger(__name__)

PATH = "/providers/api/v1/vcard/verify"
MAX_BODY = 1024

VERIFY = """
WITH cred AS (
    SELECT c.id, c.provider_id FROM ingest_credential c
    JOIN vcard_acceptingsite s ON s.provider_id = c.provider_id
    WHERE c.key_id = %(key_id)s AND c.secret_hash = %(secret_hash)s AND c.revoked_at IS NULL
), touched AS (
    UPDATE ingest_credential SET last_used_at = %(now)s
    WHERE id = (SELECT id FROM cred)
      AND (last_used_at IS NULL OR last_used_at < %(now)s - interval '1 minute')
), used AS (
    UPDATE vcard_qrtoken t SET used_at = %(now)s, used_by_id = cred.provider_id
    FROM cred
    WHERE t.jti = %(jti)s AND t.used_at IS NULL AND t.expires_at > %(now)s
      AND (t.authorisation_id IS NULL OR EXISTS (
          SELECT 1 FROM vcard_authorisation a
          WHERE a.id = t.authorisation_id AND a.status = 'active'
            AND a.starts_at <= %(now)s AND a.ends_at > %(now)s))
    RETURNING t.id, t.person_id, t.presented_by_id, t.basis, cred.provider_id
), audit AS (
    INSERT INTO audit_auditevent
        (person_id, at, action, actor, actor_id, method, address, success, detail)
    SELECT person_id, %(now)s, 'vcard.verified', 'provider', provider_id, '',
           %(address)s::inet, true,
           jsonb_build_object('basis', basis, 'presented_by', presented_by_id, 'qr', id)
    FROM used
)
SELECT u.id, u.provider_id, u.basis, p.national_id, p.name, p.sex, p.birth_date, v.id,
       CASE WHEN u.presented_by_id = u.person_id THEN NULL
            ELSE (SELECT name FROM people_person WHERE id = u.presented_by_id) END,
       e.status, e.category, e.start_date
FROM used u
JOIN people_person p ON p.id = u.person_id
JOIN vcard_virtualcard v ON v.person_id = u.person_id
LEFT JOIN LATERAL (
    SELECT status, category, start_date FROM people_enrolment
    WHERE person_id = u.person_id AND start_date <= %(today)s
      AND (end_date IS NULL OR end_date >= %(today)s)
    ORDER BY start_date DESC LIMIT 1
) e ON true
"""


def enabled() -> bool:
    return settings.VCARD_FAST_VERIFY and connections["default"].vendor == "postgresql"


class _Database:
    """This process's own connection: autocommit, the statement prepared once."""

    connection: psycopg.Connection | None = None

    def execute(self, params: dict) -> tuple | None:
        if self.connection is None or self.connection.closed:
            options = connections["default"].get_connection_params()
            # Django's client-side cursors cannot prepare; this connection binds on the server.
            options.pop("cursor_factory", None)
            options.pop("context", None)
            self.connection = psycopg.connect(**options, autocommit=True)
            # Planning this statement takes ~3 ms, running it ~0.5: plan it once, for every
            # token (PostgreSQL would otherwise plan each of its first runs afresh, and keep
            # doing so while its custom plans look cheaper).
            self.connection.execute("SET plan_cache_mode = force_generic_plan")
        try:
            return self.connection.execute(VERIFY, params, prepare=True).fetchone()
        except psycopg.Error:
            self.connection.close()  # the next request connects again
            raise


@cache
def _photo_prefix() -> str:
    """/providers/api/v1/vcard/photos/ (reverse() costs a third of a millisecond a call)."""
    return reverse("providers_api:vcard_photo", kwargs={"ticket": "-"})[:-1]


def _iso(moment) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def verify(authorization: str, body: bytes, address: str | None, database: _Database):
    """The answer of a successful verification as JSON bytes, or None for anything else."""
    scheme, _, token = authorization.partition(" ")
    parts = token_parts(token) if scheme.lower() == "bearer" else None
    if parts is None:
        return None
    try:
        signed = qr.open_token(str(json.loads(body)["token"]))
    except (ValueError, KeyError, TypeError, qr.QrInvalid):
        return None
    now = timezone.now()
    if signed.expires_at <= now:
        return None
    row = database.execute(
        {
            "key_id": parts[0],
            "secret_hash": parts[1],
            "jti": signed.jti,
            "now": now,
            "today": timezone.localdate(now),
            "address": address,
        }
    )
    if row is None:
        return None
    (token_id, provider_id, basis, national_id, name, sex, born, card_id, presenter,
     status, category, since) = row  # fmt: skip
    if basis == services.Kind.SPECIFIC:
        from healthbank.vcard import tasks

        tasks.mail_owner_of_use.enqueue(token_id)
    ticket = signing.dumps({"c": card_id, "p": provider_id}, salt=services.PHOTO_SALT)
    answer = {
        "national_id": national_id,
        "name": name,
        "sex": sex,
        "birth_date": born.isoformat(),
        "photo_url": _photo_prefix() + ticket,
        "eligibility": {
            "insured": status == "active",
            "status": status,
            "category": category,
            "since": since.isoformat() if since else None,
        },
        "presented_by": presenter or "self",
        "basis": basis,
        "verified_at": _iso(now),
    }
    return json.dumps(answer, ensure_ascii=False).encode()


class FastVerify:
    """WSGI middleware: POST /providers/api/v1/vcard/verify answered here when it succeeds
    on PostgreSQL; every other request, and every refusal, goes to Django."""

    def __init__(self, app: Callable) -> None:
        self.app = app
        self.database = _Database()

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != PATH or environ.get("REQUEST_METHOD") != "POST":
            return self.app(environ, start_response)
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = MAX_BODY + 1
        if not enabled() or length > MAX_BODY:
            return self.app(environ, start_response)
        body = environ["wsgi.input"].read(length)
        environ["wsgi.input"] = io.BytesIO(body)  # for Django, if it answers after all
        try:
            answer = verify(
                environ.get("HTTP_AUTHORIZATION", ""),
                body,
                proxies.client_address(environ),  # the audit row's, as Django would write it
                self.database,
            )
        except psycopg.Error:
            log.exception("fast QR verification failed; Django answers")
            answer = None
        if answer is None:
            return self.app(environ, start_response)
        start_response(
            "200 OK",
            [
                ("Content-Type", "application/json; charset=utf-8"),
                ("Content-Length", str(len(answer))),
                ("Cache-Control", "no-store"),
                ("X-Content-Type-Options", "nosniff"),
            ],
        )
        return [answer]
