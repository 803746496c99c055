"""A clinic's QR verification on PostgreSQL in one prepared statement, answered before
Django's request cycle.

Every visit with a virtual card is one verification, so it is the card's hot path. The
statement does in one round trip what `services.verify_qr` does in six: checks the
credential and that its provider accepts the card, voids the token (the same conditional
update, so of two simultaneous scans one wins), checks the authorisation it was shown under,
writes the audit row and reads the card, the person and today's cover. Who may verify which
code is the services' rule, not restated here: `services.site_of` and `services.verifiable`
are query expressions that `verify_qr` runs and this statement is compiled from.

Only success is answered here. Anything else (a forged, expired or used code, a wrong
credential, a malformed request, a database error) goes on to the Django view, which finds
the exact refusal and words it in the reader's language: the refusals live in one place.
SQLite (the demo, the tests) always takes the Django view.
"""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Callable, Iterable
from functools import cache
from typing import Any

import psycopg
from django.conf import settings
from django.core import signing
from django.db import connections
from django.db.models import CharField, DateTimeField, Exists, Expression, Field, OuterRef
from django.urls import reverse
from django.utils import timezone

from healthbank.core import proxies
from healthbank.core.credentials import token_parts
from healthbank.ingest.models import Credential
from healthbank.vcard import qr, services
from healthbank.vcard.models import QrToken

log = logging.getLogger(__name__)

PATH = "/providers/api/v1/vcard/verify"
MAX_BODY = 1024

# {credential} and {verifiable}: the services' rules, compiled in by statement().
VERIFY = """
WITH cred AS (
    {credential}
), touched AS (
    UPDATE ingest_credential SET last_used_at = %(now)s
    WHERE id = (SELECT id FROM cred)
      AND (last_used_at IS NULL OR last_used_at < %(now)s - interval '1 minute')
), used AS (
    UPDATE vcard_qrtoken SET used_at = %(now)s, used_by_id = cred.provider_id
    FROM cred
    WHERE {verifiable}
    RETURNING vcard_qrtoken.id, vcard_qrtoken.person_id, vcard_qrtoken.presented_by_id,
              vcard_qrtoken.basis, cred.provider_id
), audit AS (
    INSERT INTO audit_auditevent
        (person_id, at, action, actor, actor_id, method, address, success, detail)
    SELECT person_id, %(now)s, 'vcard.verified', 'provider', provider_id, '',
           %(address)s::inet, true,
           jsonb_build_object('basis', basis, 'presented_by', presented_by_id, 'qr', id)
    FROM used
)
SELECT u.id, u.provider_id, u.basis, c.national_id, c.name, c.sex, c.birth_date, c.card_id,
       CASE WHEN u.presented_by_id = u.person_id THEN NULL
            ELSE (SELECT name FROM people_person WHERE id = u.presented_by_id) END,
       e.status, e.category, e.start_date
FROM used u
CROSS JOIN LATERAL (
    SELECT p.national_id, p.name, p.sex, p.birth_date, v.id AS card_id
    FROM people_person p JOIN vcard_virtualcard v ON v.person_id = p.id
    WHERE p.id = u.person_id
    LIMIT 1  -- not flattened: run for the token's person, never joined before it
) c
LEFT JOIN LATERAL (
    SELECT status, category, start_date FROM people_enrolment
    WHERE person_id = u.person_id AND start_date <= %(today)s
      AND (end_date IS NULL OR end_date >= %(today)s)
    ORDER BY start_date DESC LIMIT 1
) e ON true
"""


# The fast path's own connection runs VERIFY alone, prepared: planned once, generically
# (planning costs more than running it; PostgreSQL would otherwise plan each of its first
# runs afresh, and keep doing so while its custom plans look cheaper). That one plan must
# reach each row by a key from the token (its jti, then its person and provider) whatever
# the statistics said when it was made: from a few cards ANALYZE had seen, PostgreSQL
# merge-joined them with the people and read the whole people_person index on every
# verification (issue 21). vcard/tests/test_fastpath.py reads the plan.
SETTINGS = (
    "SET plan_cache_mode = force_generic_plan",
    "SET enable_seqscan = off",
    "SET enable_mergejoin = off",
    "SET enable_hashjoin = off",
)


class _Parameter(Expression):
    """A named parameter of the statement where a query expression wants a value."""

    def __init__(self, name: str, output_field: Field) -> None:
        super().__init__(output_field=output_field)
        self.name = name

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, Any]:
        return "%s", [self]  # itself as the value: _named puts its name in its place


def _named(sql: str, params: Iterable[Any], constants: dict[str, Any]) -> str:
    """Django's SQL with each %s named: a _Parameter by its name, a constant as a new key
    of `constants`."""
    values = iter(params)

    def name(match: re.Match) -> str:
        if match.group() == "%%":
            return "%%"
        value = next(values)
        if isinstance(value, _Parameter):
            return f"%({value.name})s"
        key = f"c{len(constants)}"
        constants[key] = value
        return f"%({key})s"

    return re.sub(r"%%|%s", name, sql)


def _as_sql(compiled: Any) -> tuple[str, Iterable[Any]]:
    """A compiler's (sql, params), typed for _named (the stubs say params are plain
    values; ours hold _Parameter objects too)."""
    sql, params = compiled
    return sql, params


@cache
def statement() -> tuple[str, dict]:
    """VERIFY with the services' rules compiled in, and the constants they bring."""
    connection = connections["default"]
    now = _Parameter("now", DateTimeField())
    credential = Credential.objects.filter(
        Exists(services.site_of(OuterRef("provider_id"))),
        key_id=_Parameter("key_id", CharField()),
        secret_hash=_Parameter("secret_hash", CharField()),
        revoked_at__isnull=True,  # ingest.services.authenticate's rule
    ).values("id", "provider_id")
    tokens = QrToken.objects.filter(services.verifiable(now), jti=_Parameter("jti", CharField()))
    constants: dict = {}
    parts = {
        "credential": _named(
            *_as_sql(credential.query.get_compiler(connection=connection).as_sql()), constants
        ),
        "verifiable": _named(
            *_as_sql(tokens.query.get_compiler(connection=connection).compile(tokens.query.where)),
            constants,
        ),
    }
    return VERIFY.format(**parts), constants


def enabled() -> bool:
    return settings.VCARD_FAST_VERIFY and connections["default"].vendor == "postgresql"


class _Database:
    """This process's own connection: autocommit, the statement prepared once."""

    connection: psycopg.Connection | None = None

    def execute(self, params: dict) -> tuple | None:
        if self.connection is None or self.connection.closed:
            # The primary's parameters, never a replica's: the statement writes. A libpq host
            # list with target_session_attrs=read-write (README) finds it after a failover.
            options = connections["default"].get_connection_params()
            # Django's client-side cursors cannot prepare, and Django turns preparing off
            # (prepare_threshold None, for poolers): this connection binds on the server and
            # prepares its one statement.
            options.pop("cursor_factory", None)
            options.pop("context", None)
            options.pop("prepare_threshold", None)
            self.connection = psycopg.connect(**options, autocommit=True)
            for setting in SETTINGS:
                self.connection.execute(setting)
        try:
            sql, constants = statement()
            return self.connection.execute(sql, constants | params, prepare=True).fetchone()
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
    (
        token_id,
        provider_id,
        basis,
        national_id,
        name,
        sex,
        born,
        card_id,
        presenter,
        status,
        category,
        since,
    ) = row
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
