"""Agencies' registration and review by NHIA staff, and each release of a person's identity.

Registration and approval are two people (four eyes): the staff member who registers an
agency, with the claims it may ask for, cannot approve it; another staff member does.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from oauth2_provider.generators import generate_client_id, generate_client_secret
from oauth2_provider.models import AbstractApplication, get_application_model
from oauth2_provider.settings import oauth2_settings

from healthbank.agencies import claims
from healthbank.agencies.models import Agency, SpentCode
from healthbank.audit.services import Action, Actor, record
from healthbank.identity.services import end_app_tokens
from healthbank.people.models import Person

Application = get_application_model()


class ReviewRefused(Exception):
    MESSAGES = {
        "own": _("You registered this agency: another staff member must approve it (four eyes)."),
    }

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code
        self.message = self.MESSAGES[code]


@transaction.atomic
def register_agency(
    *,
    name: str,
    name_en: str,
    purpose: str,
    purpose_en: str,
    redirect_uris: list[str],
    scopes: list[str],
    staff_user: AbstractBaseUser | None,
    client_id: str = "",
    confidential: bool = True,
    is_demo: bool = False,
) -> tuple[Agency, str]:
    """A new agency, pending approval; with its client secret in clear (shown once, only
    its hash is kept) for a confidential client, "" for a public one (PKCE alone)."""
    unknown = [s for s in scopes if not claims.is_identity_scope(s)]
    if unknown:
        raise ValueError(f"Not identity scopes: {unknown}")
    secret = generate_client_secret() if confidential else ""
    application = Application.objects.create(
        name=name,
        client_id=client_id or generate_client_id(),
        client_type=(
            AbstractApplication.CLIENT_CONFIDENTIAL
            if confidential
            else AbstractApplication.CLIENT_PUBLIC
        ),
        authorization_grant_type=AbstractApplication.GRANT_AUTHORIZATION_CODE,
        redirect_uris=" ".join(redirect_uris),
        client_secret=secret,
        hash_client_secret=True,
        algorithm=AbstractApplication.RS256_ALGORITHM,
        skip_authorization=False,
    )
    agency = Agency.objects.create(
        application=application,
        name=name,
        name_en=name_en,
        purpose=purpose,
        purpose_en=purpose_en,
        scopes=[s for s in claims.SCOPES if s in scopes],
        is_demo=is_demo,
        registered_by=staff_user,  # type: ignore[misc]
    )
    return agency, secret


@transaction.atomic
def review_agency(
    *, agency: Agency, staff_user: AbstractBaseUser, status: str, note: str = ""
) -> Agency:
    """Approve, reject or suspend. Approving takes a staff member other than the one who
    registered it; suspending stops at once every token the agency holds."""
    locked = Agency.objects.select_for_update().get(pk=agency.pk)
    if status == Agency.Status.APPROVED and locked.registered_by_id == staff_user.pk:
        raise ReviewRefused("own")
    locked.mark_reviewed(staff_user, status, note)
    if status != Agency.Status.APPROVED:
        end_app_tokens(Q(application_id=locked.application_id))
    return locked


def _checksum(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


def code_spent(*, application: Any, user: Any, code: str) -> None:
    """Remember an exchanged code (its hash), and forget those whose tokens have expired."""
    now = timezone.now()
    SpentCode.objects.filter(
        spent_at__lt=now - dt.timedelta(seconds=oauth2_settings.ACCESS_TOKEN_EXPIRE_SECONDS)
    ).delete()
    SpentCode.objects.create(
        checksum=_checksum(code), application=application, user=user, spent_at=now
    )


def code_replayed(*, application: Any, code: str) -> bool:
    """A code exchanged before and presented again: the tokens of the person's sign-ins at
    this agency end now (whoever holds them, the code was stolen). Returns whether it was."""
    spent = SpentCode.objects.filter(checksum=_checksum(code), application=application).first()
    if spent is None:
        return False
    end_app_tokens(Q(application_id=application.pk, user_id=spent.user_id))
    return True


def record_release(
    *, person: Person, agency: Agency, released: list[str], via: str, address: str | None = None
) -> None:
    """Audit one release of the person's identity to the agency: which claims (never their
    values), and whether in the ID token or from the userinfo endpoint (`via`)."""
    record(
        action=Action.IDENTITY_RELEASED,
        person=person,
        actor=Actor.AGENCY,
        actor_id=agency.pk,
        address=address,
        agency=agency.name,
        claims=sorted(released),
        via=via,
    )


def seed_demo_agency() -> Agency:
    """The demonstration relying party's registration (agencies/demo.py), approved: a
    public client whose redirect URIs are this machine's loopback address (any port on
    127.0.0.1, as RFC 8252 lets a loopback redirect; localhost on the demo's port 8000).
    Kept as it is when it exists."""
    from healthbank.agencies.demo import DEMO_CLIENT_ID

    found = Agency.objects.filter(application__client_id=DEMO_CLIENT_ID).first()
    if found is not None:
        return found
    agency, _secret = register_agency(
        name="年度所得查詢（示範）",
        name_en="Annual income query (demonstration)",
        purpose="示範：查詢您的年度所得前，以健保卡確認您的身分（不會真的查詢或申報）。",
        purpose_en=(
            "Demonstration: confirms who you are with your NHI card before showing your "
            "annual income (nothing is looked up or filed)."
        ),
        redirect_uris=[
            "http://127.0.0.1/demo/income-query/callback/",
            "http://localhost:8000/demo/income-query/callback/",
        ],
        scopes=list(claims.SCOPES),
        staff_user=None,
        client_id=DEMO_CLIENT_ID,
        confidential=False,
        is_demo=True,
    )
    Agency.objects.filter(pk=agency.pk).update(status=Agency.Status.APPROVED)
    agency.status = Agency.Status.APPROVED
    return agency
