"""The QR verification's fast path on PostgreSQL (vcard/fastpath.py): a success is answered
before Django with the same answer, audit row and single use; every refusal is Django's,
with the token left as it was."""

from __future__ import annotations

import datetime as dt
import io
import json
import threading

import hypothesis
import pytest
from django.db import connection, connections
from django.test import Client
from django.utils import timezone
from hypothesis import strategies as st

from healthbank.audit.models import AuditEvent
from healthbank.ingest import services as ingest
from healthbank.ingest.models import Credential
from healthbank.vcard import fastpath, qr, services
from healthbank.vcard.models import AcceptingSite, Authorisation, QrToken
from healthbank.vcard.tests.test_authorisations import authorise

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the fast path is PostgreSQL's; SQLite always takes the Django view",
    ),
]


class Django:
    """Stands for the Django application behind the fast path, and counts what reaches it."""

    def __init__(self) -> None:
        from healthbank.wsgi import django_application

        self.app, self.calls = django_application, 0

    def __call__(self, environ, start_response):
        self.calls += 1
        return self.app(environ, start_response)


@pytest.fixture
def app():
    django = Django()
    fast = fastpath.FastVerify(django)
    yield fast, django
    if fast.database.connection is not None:
        fast.database.connection.close()


def scan(app, credential: str, token: str, **headers: str) -> tuple[int, dict]:
    data = json.dumps({"token": token}).encode()
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": fastpath.PATH,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "HTTP_HOST": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(data)),
        "wsgi.input": io.BytesIO(data),
        "wsgi.errors": io.StringIO(),
        "HTTP_AUTHORIZATION": f"Bearer {credential}",
        "REMOTE_ADDR": "10.1.2.3",
        **headers,
    }
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"] = int(status.split()[0])

    body = b"".join(app(environ, start_response))
    return answer["status"], json.loads(body)


def test_a_success_is_answered_before_django_as_django_would(app, family, card_for):
    fast, django = app
    card_for(family.parent)
    token, row = services.issue_qr(presenter=family.parent, owner_id=family.parent.pk)
    twin, _ = services.issue_qr(presenter=family.parent, owner_id=family.parent.pk)
    QrToken.objects.filter(pk=row.pk).update(expires_at=timezone.now() + dt.timedelta(minutes=5))

    status, body = scan(fast, family.clinic_token, token)
    assert (status, django.calls) == (200, 0)
    by_django = (
        Client()
        .post(
            fastpath.PATH,
            {"token": twin},
            content_type="application/json",
            headers={"authorization": f"Bearer {family.clinic_token}"},
        )
        .json()
    )
    photo, prefix = body.pop("photo_url"), "/providers/api/v1/vcard/photos/"
    assert photo.startswith(prefix) and by_django.pop("photo_url").startswith(prefix)
    moments = [dt.datetime.fromisoformat(b.pop("verified_at")) for b in (body, by_django)]
    assert abs(moments[0] - moments[1]) < dt.timedelta(seconds=30)
    assert body == by_django
    client = Client(headers={"authorization": f"Bearer {family.clinic_token}"})
    assert client.get(photo)["Content-Type"] == "image/jpeg"

    used = QrToken.objects.get(pk=row.pk)
    assert used.used_at is not None and used.used_by_id == family.clinic.pk
    fast_event, django_event = AuditEvent.objects.filter(action="vcard.verified").order_by("pk")
    assert fast_event.person_id == family.parent.pk and fast_event.address == "10.1.2.3"
    assert (fast_event.actor, fast_event.actor_id) == ("provider", family.clinic.pk)
    assert fast_event.detail == {"basis": "self", "presented_by": family.parent.pk, "qr": row.pk}
    assert set(django_event.detail) == set(fast_event.detail)
    assert Credential.objects.get(provider=family.clinic).last_used_at is not None


def test_behind_a_trusted_proxy_the_audit_row_names_the_client(app, family, card_for, settings):
    """The fast path reads the client's address by the same rule as Django (core/proxies.py):
    X-Forwarded-For past the trusted proxy, never a forged entry left of it."""
    settings.TRUSTED_PROXIES = ["10.1.2.3"]
    fast, django = app
    card_for(family.parent)
    token, _row = services.issue_qr(presenter=family.parent, owner_id=family.parent.pk)

    status, _body = scan(
        fast, family.clinic_token, token, HTTP_X_FORWARDED_FOR="203.0.113.66, 198.51.100.7"
    )

    assert (status, django.calls) == (200, 0)
    assert AuditEvent.objects.get(action="vcard.verified").address == "198.51.100.7"


def test_refusals_are_djangos_and_leave_the_token_alone(app, family, card_for):
    fast, django = app
    card_for(family.parent)
    token, row = services.issue_qr(presenter=family.parent, owner_id=family.parent.pk)

    cases = [
        (family.other_token, token, 403, "not_accepting"),
        ("hbk_0000000000000000.wrong", token, 401, "credential_invalid"),
        (family.clinic_token, token[:-4] + "AAAA", 404, "qr_invalid"),
    ]
    for credential, code_text, status, code in cases:
        got_status, got = scan(fast, credential, code_text)
        assert (got_status, got["code"]) == (status, code)
    assert QrToken.objects.get(pk=row.pk).used_at is None

    assert scan(fast, family.clinic_token, token)[0] == 200
    status, body = scan(fast, family.clinic_token, token)
    assert (status, body["code"]) == (409, "qr_used")
    assert django.calls == len(cases) + 1


def test_an_authorisation_revoked_after_the_code_was_shown(app, family, card_for):
    fast, _django = app
    card_for(family.parent)
    authorisation = services.authorise_household(
        grantor=family.parent,
        grantee_id=family.spouse.pk,
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + dt.timedelta(days=3),
    )
    services.agree(person=family.spouse, authorisation_id=authorisation.pk)
    token, row = services.issue_qr(presenter=family.spouse, owner_id=family.parent.pk)
    # Revoked behind the services' back, so the token itself stays live: only the fast
    # path's own authorisation check can refuse it.
    type(authorisation).objects.filter(pk=authorisation.pk).update(status="revoked")

    status, body = scan(fast, family.clinic_token, token)
    assert (status, body["code"]) == (410, "authorisation_ended")
    assert QrToken.objects.get(pk=row.pk).used_at is None


def test_a_specific_persons_use_queues_the_owners_mail(app, family, card_for):
    from django_tasks_db.models import DBTaskResult

    fast, _django = app
    card_for(family.parent)
    _authorisation, code = authorise(family)
    services.claim(grantee=family.outsider, code=code)
    token, _ = services.issue_qr(presenter=family.outsider, owner_id=family.parent.pk)
    before = DBTaskResult.objects.count()

    status, body = scan(fast, family.clinic_token, token)

    assert (status, body["basis"], body["presented_by"]) == (200, "specific", "黃冠宇")
    assert DBTaskResult.objects.count() == before + 1


def test_simultaneous_scans_one_wins(app, family, card_for):
    card_for(family.parent)
    scanners = 6
    token, _ = services.issue_qr(presenter=family.parent, owner_id=family.parent.pk)
    start, statuses = threading.Barrier(scanners), []

    def one() -> None:
        own = fastpath.FastVerify(Django())  # a worker process of its own
        start.wait()
        try:
            statuses.append(scan(own, family.clinic_token, token)[0])
        finally:
            if own.database.connection is not None:
                own.database.connection.close()
            connections.close_all()

    threads = [threading.Thread(target=one) for _ in range(scanners)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] + [409] * (scanners - 1)


# Tables with a row per person, or more: each must be reached by a lookup on its key.
PERSON_SIZED = {
    "people_person",
    "people_enrolment",
    "vcard_virtualcard",
    "vcard_qrtoken",
    "vcard_authorisation",
    "audit_auditevent",
}


def _nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


def _by_key(scan: dict) -> bool:
    """An index scan with a condition on the index (not a walk through all of it)."""
    if scan["Node Type"] == "Bitmap Heap Scan":
        return all("Index Cond" in index for index in scan["Plans"])
    return scan["Node Type"] in ("Index Scan", "Index Only Scan") and "Index Cond" in scan


def test_the_plan_reads_no_more_for_more_people():
    """The statement's one plan (generic, made once per connection) finds the code by its
    jti and the card, the person, the presenter and the cover by unique keys from it,
    whatever the statistics say: no table is read through, so a verification costs the same
    among 10,000 people as among 23 million."""
    database = fastpath._Database()
    try:
        now = timezone.now()
        unknown = {"key_id": "hbk_0", "secret_hash": "", "jti": "0", "address": "10.1.2.3"}
        database.execute({**unknown, "now": now, "today": timezone.localdate(now)})  # prepares
        assert database.connection is not None
        with database.connection.cursor() as cursor:
            cursor.execute("SELECT name, cardinality(parameter_types) FROM pg_prepared_statements")
            prepared = cursor.fetchall()
            assert len(prepared) == 1, "the fast path's connection prepares its statement"
            ((name, count),) = prepared
            # A generic plan does not depend on the values: NULLs will do.
            cursor.execute(f"EXPLAIN (FORMAT JSON) EXECUTE {name}({', '.join(['NULL'] * count)})")
            plan = cursor.fetchone()[0][0]["Plan"]
    finally:
        if database.connection is not None:
            database.connection.close()

    nodes = list(_nodes(plan))
    through = [
        (n["Node Type"], n.get("Relation Name"))
        for n in nodes
        if n["Node Type"] in ("Seq Scan", "Merge Join", "Hash Join")
    ]
    assert through == []
    scans = [n for n in nodes if "Scan" in n["Node Type"] and n.get("Relation Name")]
    read = {scan["Relation Name"] for scan in scans}
    assert {"people_person", "people_enrolment", "vcard_virtualcard", "vcard_qrtoken"} <= read
    for scan in scans:
        if scan["Relation Name"] in PERSON_SIZED:
            assert _by_key(scan), scan


# --- one rule, two paths: every state the rules read, through both --------------------------

CREDENTIALS = (
    "accepting",
    "not_accepting",
    "site_withdrawn",
    "revoked",
    "wrong_secret",
    "unknown_key",
)
HOURS = [None, -24, -1, 1, 24]  # an authorisation's start or end from now; None: not set


@st.composite
def states(draw) -> dict:
    """A credential, a code (signed and stored expiry, used or not, its row kept or not)
    and the authorisation it was shown under, if any (every status, every period)."""
    authorised = draw(st.booleans())
    return {
        "credential": draw(st.sampled_from(CREDENTIALS)),
        "signed_minutes": draw(st.sampled_from([-1, 5])),
        "row": draw(st.sampled_from(["kept", "missing"])),
        "row_minutes": draw(st.sampled_from([-1, 5])),
        "used": draw(st.booleans()),
        "authorisation": (
            {
                "status": draw(st.sampled_from(list(services.Status))),
                "starts": draw(st.sampled_from(HOURS)),
                "ends": draw(st.sampled_from(HOURS)),
                "basis": draw(st.sampled_from(["household", "specific"])),
            }
            if authorised
            else None
        ),
    }


def _effects(row_id: int | None, audit_after: int, tasks_before: set) -> dict:
    """What a verification wrote: the code's use, its audit rows, the mail it queued."""
    from django_tasks_db.models import DBTaskResult

    token = QrToken.objects.filter(pk=row_id).values("used_at", "used_by_id").first()
    audit = list(
        AuditEvent.objects.filter(pk__gt=audit_after).values(
            "person_id", "action", "actor", "actor_id", "address", "success", "detail"
        )
    )
    mails = DBTaskResult.objects.exclude(pk__in=tasks_before).count()
    return {"token": token, "audit": audit, "mails": mails}


def _undo(row_id: int | None, before: dict | None, audit_after: int, tasks_before: set) -> None:
    """Back to the state before the verification, for the other path to meet."""
    from django_tasks_db.models import DBTaskResult

    if before is not None:
        QrToken.objects.filter(pk=row_id).update(**before)
    AuditEvent.objects.filter(pk__gt=audit_after).delete()
    DBTaskResult.objects.exclude(pk__in=tasks_before).delete()


def test_both_paths_verify_exactly_the_same_codes(family, card_for):
    """The fast path answers a state exactly when Django's view would answer it 200, with the
    same answer and the same writes, and leaves every state it refuses untouched (Django then
    refuses it with a 4xx)."""
    from django_tasks_db.models import DBTaskResult

    card_for(family.parent)
    revoked = Credential(provider=family.clinic, scopes=[])
    bearers = {
        "accepting": family.clinic_token,
        "not_accepting": family.other_token,
        "site_withdrawn": family.clinic_token,
        "revoked": ingest.issue_credential(credential=revoked),
        "wrong_secret": family.clinic_token.split(".")[0] + ".wrong",
        "unknown_key": "hbk_0000000000000000.wrong",
    }
    ingest.revoke_credential(credential=revoked)
    database, seen = fastpath._Database(), set()

    @hypothesis.settings(max_examples=250, deadline=None, database=None, derandomize=True)
    @hypothesis.given(state=states())
    def both(state: dict) -> None:
        hypothesis.note(f"state: {state}")
        now = timezone.now()
        later = {h: None if h is None else now + dt.timedelta(hours=h) for h in HOURS}
        if state["credential"] == "site_withdrawn":
            AcceptingSite.objects.filter(provider=family.clinic).delete()
        authorisation, presenter, basis = None, family.parent, "self"
        if state["authorisation"] is not None:
            shown = state["authorisation"]
            authorisation = Authorisation.objects.create(
                grantor=family.parent,
                grantee=family.spouse,
                kind=shown["basis"],
                status=shown["status"],
                starts_at=later[shown["starts"]],
                ends_at=later[shown["ends"]],
            )
            presenter, basis = family.spouse, shown["basis"]
        text, jti = qr.sign(now + dt.timedelta(minutes=state["signed_minutes"]))
        row_id = None
        if state["row"] == "kept":
            row_id = QrToken.objects.create(
                jti=jti,
                person=family.parent,
                presented_by=presenter,
                basis=basis,
                authorisation=authorisation,
                issued_at=now - dt.timedelta(minutes=2),
                expires_at=now + dt.timedelta(minutes=state["row_minutes"]),
                used_at=now - dt.timedelta(minutes=1) if state["used"] else None,
                used_by=family.other_clinic if state["used"] else None,
            ).pk
        before = QrToken.objects.filter(pk=row_id).values("used_at", "used_by_id").first()
        audit_after = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        tasks_before = set(DBTaskResult.objects.values_list("pk", flat=True))
        unchanged = {"token": before, "audit": [], "mails": 0}
        bearer = f"Bearer {bearers[state['credential']]}"
        try:
            body = json.dumps({"token": text}).encode()
            fast = fastpath.verify(bearer, body, "10.1.2.3", database)
            by_fast = _effects(row_id, audit_after, tasks_before)
            _undo(row_id, before, audit_after, tasks_before)

            response = Client(REMOTE_ADDR="10.1.2.3").post(
                fastpath.PATH,
                {"token": text},
                content_type="application/json",
                headers={"authorization": bearer},
            )
            by_django = _effects(row_id, audit_after, tasks_before)
            _undo(row_id, before, audit_after, tasks_before)
        finally:
            if state["credential"] == "site_withdrawn":
                AcceptingSite.objects.create(provider=family.clinic, outpatient=True)

        seen.add(response.json().get("code", response.status_code))
        assert (fast is not None) == (response.status_code == 200), response.json()
        if fast is None:
            assert by_fast == unchanged
            assert response.status_code in (401, 403, 404, 409, 410)
            assert by_django == unchanged
            return
        answers = [json.loads(fast), response.json()]
        for answer in answers:
            answer.pop("photo_url"), answer.pop("verified_at")
        assert answers[0] == answers[1]
        for effects in (by_fast, by_django):
            effects["token"]["used_at"] = effects["token"]["used_at"] is not None
        assert by_fast == by_django
        assert by_fast["token"] == {"used_at": True, "used_by_id": family.clinic.pk}

    try:
        both()
    finally:
        if database.connection is not None:
            database.connection.close()
    assert seen >= {
        200,
        "credential_invalid",
        "not_accepting",
        "qr_invalid",
        "qr_expired",
        "qr_used",
        "authorisation_ended",
    }
