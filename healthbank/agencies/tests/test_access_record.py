"""Each release of a person's identity to an agency on their access record (存取紀錄), with
the agency's name and what it was told; never on anyone else's."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from healthbank.agencies import services
from healthbank.audit.models import AuditEvent
from tests.fixtures.personas import CHEN


def test_the_release_is_on_the_persons_access_record_with_the_agencys_name(
    client, sign_in, agency, outsider
):
    chen = sign_in(client, CHEN)
    services.record_release(
        person=chen, agency=agency, released=["national_id", "name"], via="id_token"
    )

    page = client.get(reverse("bank:access")).content.decode()
    others = outsider.get(reverse("bank:access")).content.decode()

    assert agency.name in page
    assert "以健保卡確認身分：身分證統一編號、姓名" in page
    assert "已向其他機關確認身分" in page
    assert agency.name not in others


def test_in_english_the_agency_has_its_english_name(client, sign_in, agency):
    chen = sign_in(client, CHEN)
    services.record_release(person=chen, agency=agency, released=["birthdate"], via="userinfo")

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("bank:access")).content.decode()

    assert agency.name_en in page
    assert "Confirmed with your NHI card: Birth date" in page


def test_the_audit_row_names_the_agency_and_claims_never_values(sign_in, client, agency):
    chen = sign_in(client, CHEN)
    services.record_release(person=chen, agency=agency, released=["national_id"], via="id_token")

    event = AuditEvent.objects.get(action=AuditEvent.Action.IDENTITY_RELEASED)

    assert (event.person, event.actor, event.actor_id) == (chen, "agency", agency.pk)
    assert event.detail == {
        "agency": agency.name,
        "claims": ["national_id"],
        "via": "id_token",
    }
