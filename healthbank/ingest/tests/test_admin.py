"""Staff issue credentials (the token shown once, its secret kept only hashed, scopes by the
provider's kind) and revoke them."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.models import User
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from healthbank.audit.models import AuditEvent
from healthbank.ingest import services
from healthbank.ingest.models import Batch, Credential

pytestmark = pytest.mark.django_db


def issued(admin_client, provider, scopes=()) -> tuple[Credential, str]:
    response = admin_client.post(
        reverse("admin:ingest_credential_add"),
        {"provider": provider.pk, "label": "HIS", "scopes": list(scopes)},
    )
    assert response.status_code == 302, response.content
    text = " ".join(str(m) for m in get_messages(response.wsgi_request))
    token = re.search(r"hbk_[0-9a-f]{16}\.\S+", text).group(0)
    return Credential.objects.get(key_id=token.split(".")[0]), token


def test_staff_issue_a_credential_whose_secret_is_shown_once_and_kept_hashed(admin_client, world):
    credential, token = issued(admin_client, world.hospital)
    secret = token.split(".", 1)[1]
    assert secret not in credential.secret_hash
    assert services.authenticate(token) == credential
    assert services.authenticate(token + "x") is None
    assert credential.scopes == [
        "visit",
        "lab_result",
        "imaging_report",
        "discharge_summary",
        "allergy",
        "prior_review",
        "facility",
        "er_load",
    ]
    url = reverse("admin:ingest_credential_change", args=[credential.pk])
    assert secret in admin_client.get(url).content.decode()  # the page after issuing
    assert secret not in admin_client.get(url).content.decode()


def test_an_agencys_default_scope_is_its_registry(admin_client, world):
    credential, _ = issued(admin_client, world.cdc)
    assert credential.scopes == ["vaccination"]


def test_staff_may_choose_the_scopes(admin_client, world):
    credential, _ = issued(admin_client, world.clinic, scopes=["allergy"])
    assert credential.scopes == ["allergy"]


def test_a_revoked_credential_is_refused(admin_client, world):
    credential, token = issued(admin_client, world.hospital)
    admin_client.post(
        reverse("admin:ingest_credential_changelist"),
        {"action": "revoke", "_selected_action": [credential.pk]},
    )
    credential.refresh_from_db()
    assert credential.revoked_at is not None
    assert services.authenticate(token) is None


def test_issuing_and_revoking_are_audited_with_the_staff_member(admin_client, world):
    staff = User.objects.get(username="admin")
    credential, _token = issued(admin_client, world.hospital)
    admin_client.post(
        reverse("admin:ingest_credential_changelist"),
        {"action": "revoke", "_selected_action": [credential.pk]},
    )
    events = AuditEvent.objects.filter(detail__key_id=credential.key_id).order_by("pk")
    assert [(e.action, e.actor, e.actor_id, e.detail["key_id"]) for e in events] == [
        ("credential.issued", "staff", staff.pk, credential.key_id),
        ("credential.revoked", "staff", staff.pk, credential.key_id),
    ]


def test_last_used_is_kept_to_the_minute(admin_client, world, monkeypatch):
    credential, token = issued(admin_client, world.hospital)
    assert credential.last_used_at is None
    services.authenticate(token)
    first = Credential.objects.get(pk=credential.pk).last_used_at
    assert first is not None
    services.authenticate(token)
    assert Credential.objects.get(pk=credential.pk).last_used_at == first  # no write per call
    later = first + services.LAST_USED_EVERY + dt.timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    services.authenticate(token)
    assert Credential.objects.get(pk=credential.pk).last_used_at == later


def test_staff_see_a_batch_and_its_problems(admin_client, world, upload):
    batch = upload(world.hospital_token, b'{"type": "visit"}\n')
    page = admin_client.get(reverse("admin:ingest_batch_change", args=[batch.pk]))
    assert page.status_code == 200
    assert "required" in page.content.decode()
    assert admin_client.get(reverse("admin:ingest_batch_changelist")).status_code == 200
    assert Batch.objects.count() == 1
