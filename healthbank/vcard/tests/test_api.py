"""The virtual card in the app's API (/api/v1/vcard/): the owner (陳志明), his wife in the same
household (陳林秀英) and an outsider (林雅婷), each signed in on their own phone."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from PIL import Image

from healthbank.audit.models import AuditEvent
from healthbank.audit.services import Action
from healthbank.files import images
from healthbank.files.tests.stores import stored_names
from healthbank.identity import devices
from healthbank.identity.models import Account
from healthbank.identity.tests.cardhelpers import CHEN_ID, PASSWORD, WIFE_ID, registered
from healthbank.identity.tests.cardhelpers import seed_personas as seed
from healthbank.people.models import County, Person
from healthbank.records.models import Provider
from healthbank.vcard import api, services
from healthbank.vcard.models import (
    AcceptingSite,
    Application,
    Authorisation,
    QrToken,
    VirtualCard,
)

pytestmark = pytest.mark.django_db

LIN_ID = "F223456786"  # 林雅婷, another household
SON_ID = "F135792464"  # 王宥辰, 5, insured under her
URL = "/api/v1/vcard"


@pytest.fixture(autouse=True)
def vcard_dir(settings, tmp_path):
    settings.VCARD_DIR = tmp_path / "vcard"
    return settings.VCARD_DIR


@pytest.fixture(autouse=True)
def personas(vcard_dir):
    """The ten personas, without the cards the demo gives some of them: each test makes its
    own."""
    seed()
    VirtualCard.objects.all().delete()
    Application.objects.all().delete()
    for name in stored_names("vcard"):
        storages["vcard"].delete(name)


def signed_in(client, national_id: str, email: str) -> dict:
    """Registered, this phone verified and signed in: the Authorization header."""
    return {
        "Authorization": f"Bearer {signed_in_tokens(client, national_id, email)['access_token']}"
    }


def signed_in_tokens(client, national_id: str, email: str) -> dict:
    """Registered, this phone verified and signed in: the app's token pair."""
    account = registered(national_id, email=email)
    identifier = f"phone-of-{national_id}"
    device = {"platform": "android", "model": "Pixel 8", "identifier": identifier}
    code, _row = devices.issue_code(account=account)
    verified = client.post(
        "/api/v1/devices/verify", {"code": code, **device}, content_type="application/json"
    )
    assert verified.status_code == 201, verified.json()
    login = client.post(
        "/api/v1/auth/login",
        {
            "national_id": national_id,
            "password": PASSWORD,
            "identifier": identifier,
            "device_credential": verified.json()["device_credential"],
        },
        content_type="application/json",
    )
    assert login.status_code == 200, login.json()
    return login.json()


@pytest.fixture
def chen(client) -> dict:
    return signed_in(client, CHEN_ID, "chen@example.com")


@pytest.fixture
def wife(client) -> dict:
    return signed_in(client, WIFE_ID, "lin.xiuying@example.com")


@pytest.fixture
def outsider(client) -> dict:
    return signed_in(client, LIN_ID, "yating@example.com")


def zh(text) -> str:
    """What the app shows in Chinese (the default language), whatever the catalogue says."""
    with translation.override("zh-hant"):
        return str(text)


def person(national_id: str) -> Person:
    return Person.objects.get(national_id=national_id)


def jpeg(size=(600, 800), color="steelblue") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="JPEG")
    return out.getvalue()


def photos(portrait: bytes | None = None) -> dict:
    return {
        "document": SimpleUploadedFile("id.jpg", jpeg((1200, 800)), "image/jpeg"),
        "portrait": SimpleUploadedFile("me.jpg", portrait or jpeg(), "image/jpeg"),
    }


def apply(client, headers, **fields):
    data = {
        **photos(),
        "document_kind": "id_card",
        "contact_phone": "0912-345-678",
        "email": "chen@example.com",
        "terms": "true",
        **fields,
    }
    return client.post(f"{URL}/applications", data, headers=headers)


def stored_files(vcard_dir) -> list:
    return stored_names("vcard")


def staff():
    user, _new = get_user_model().objects.get_or_create(username="reviewer", is_staff=True)
    return user


def approved(national_id: str):
    application = Application.objects.get(person__national_id=national_id, status="pending")
    return services.approve(application=application, staff_user=staff())


def post(client, path, headers, body=None):
    return client.post(f"{URL}{path}", body or {}, content_type="application/json", headers=headers)


def get(client, path, headers=None):
    return client.get(f"{URL}{path}", headers=headers or {})


# --- the card's home and applications --------------------------------------------------------


def test_status_without_a_card_lists_the_household(client, chen):
    response = get(client, "", chen)
    assert response.status_code == 200
    body = response.json()
    assert body["card"] is None and body["application"] is None
    assert body["card_as_document"] is False
    assert [(m["name"], m["has_card"], m["application"]) for m in body["household"]] == [
        ("陳林秀英", False, None)
    ]


def test_a_child_under_14_may_use_the_nhi_card_as_the_document(client, outsider):
    """林雅婷 (38) cannot; her children (9 and 5) can, when she applies for them."""
    body = get(client, "", outsider).json()
    assert body["card_as_document"] is False
    ages = {m["name"]: (m["age"], m["card_as_document"]) for m in body["household"]}
    assert ages["王建志"][1] is False
    assert ages["王品妤"][1] is True and ages["王宥辰"][1] is True


def test_status_needs_a_signed_in_phone(client):
    response = get(client, "")
    assert response.status_code == 401
    assert response.json()["code"] == "token_invalid"


def test_apply_stores_the_photos_and_waits_for_review(client, chen, vcard_dir):
    response = apply(client, chen)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["kind"], body["status"]) == ("general", "pending")
    assert body["person"]["masked_id"] == "A12345****"
    assert len(stored_files(vcard_dir)) == 2
    application = get(client, "", chen).json()["application"]
    assert application["status"] == "pending" and application["status_label"] == zh(
        Application.Status.PENDING.label
    )


def test_a_text_file_as_the_portrait_is_refused_in_the_persons_language(client, chen, vcard_dir):
    text = b"name,national_id\nChen,A123456789\n"
    response = apply(client, chen, portrait=SimpleUploadedFile("me.jpg", text, "image/jpeg"))
    assert response.status_code == 422
    assert response.json()["code"] == "not_image"
    chinese = response.json()["message"]
    assert chinese == zh(images.MESSAGES["not_image"])

    client.cookies["django_language"] = "en"  # the language switch
    response = apply(client, chen, portrait=SimpleUploadedFile("me.jpg", text, "image/jpeg"))
    assert response.json()["code"] == "not_image"
    assert response.json()["message"].startswith("This file is not a photo")
    assert chinese != response.json()["message"]
    assert Application.objects.count() == 0
    assert stored_files(vcard_dir) == []


def test_unchecked_terms_and_a_bad_phone_are_refused_before_any_photo_is_kept(
    client, chen, vcard_dir
):
    assert apply(client, chen, terms="false").json()["code"] == "terms_required"
    assert apply(client, chen, contact_phone="12").json()["code"] == "invalid_phone"
    assert apply(client, chen, email="chen@").json()["code"] == "invalid_email"
    assert apply(client, chen, document_kind="nhi_card").json()["code"] == "document_for_age"
    assert Application.objects.count() == 0 and stored_files(vcard_dir) == []


def test_a_second_application_waits_for_the_first(client, chen, vcard_dir):
    assert apply(client, chen).status_code == 201
    response = apply(client, chen)
    assert response.status_code == 409
    assert response.json()["code"] == "application_pending"
    assert Application.objects.count() == 1 and len(stored_files(vcard_dir)) == 2


def test_a_rejected_application_shows_its_reason_and_may_be_made_again(client, chen):
    apply(client, chen)
    services.reject(
        application=Application.objects.get(), staff_user=staff(), reason="相片模糊，請重新拍攝。"
    )
    application = get(client, "", chen).json()["application"]
    assert application["status"] == "rejected"
    assert application["rejection_reason"] == "相片模糊，請重新拍攝。"
    assert apply(client, chen).status_code == 201


def test_a_household_member_applies_for_a_dependant(client, chen):
    wife_id = person(WIFE_ID).pk
    response = apply(client, chen, member_id=str(wife_id))
    assert response.status_code == 201, response.json()
    assert response.json()["kind"] == "dependant"
    member = get(client, "", chen).json()["household"][0]
    assert member["application"]["status"] == "pending"
    approved(WIFE_ID)
    member = get(client, "", chen).json()["household"][0]
    assert member["has_card"] is True
    # Who applied for a dependant may show the dependant's card.
    cards = get(client, "/cards", chen).json()
    assert [(c["owner"]["id"], c["basis"]) for c in cards] == [(wife_id, "dependant")]


def test_nobody_outside_the_household_can_be_applied_for(client, chen, vcard_dir):
    response = apply(client, chen, member_id=str(person(LIN_ID).pk))
    assert response.status_code == 404
    assert Application.objects.count() == 0 and stored_files(vcard_dir) == []


# --- cards and QR codes ----------------------------------------------------------------------


def test_own_card_photo_and_qr_after_approval(client, chen):
    assert get(client, "/cards", chen).json() == []
    apply(client, chen)
    approved(CHEN_ID)
    me = person(CHEN_ID)
    status = get(client, "", chen).json()
    assert status["card"]["owner"] == {"id": me.pk, "name": "陳志明", "masked_id": "A12345****"}
    assert status["card"]["basis"] == "self"
    cards = get(client, "/cards", chen).json()
    assert [c["basis_label"] for c in cards] == [zh(api.BASIS_LABELS["self"])]

    photo = client.get(cards[0]["photo_url"], headers=chen)
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    assert "no-store" in photo["Cache-Control"]
    assert Image.open(io.BytesIO(photo.getvalue())).format == "JPEG"

    response = post(client, f"/cards/{me.pk}/qr", chen)
    assert response.status_code == 201
    qr = response.json()
    assert qr["token"].startswith("HBVC1.")
    assert qr["qr_svg"].startswith("data:image/svg+xml")
    assert qr["seconds"] == 300
    assert dt.datetime.fromisoformat(qr["expires_at"]) > timezone.now()


def test_a_new_qr_code_voids_the_one_before(client, chen):
    apply(client, chen)
    approved(CHEN_ID)
    owner = person(CHEN_ID).pk
    post(client, f"/cards/{owner}/qr", chen)
    post(client, f"/cards/{owner}/qr", chen)
    live = QrToken.objects.filter(expires_at__gt=timezone.now())
    assert QrToken.objects.count() == 2 and live.count() == 1


def test_every_personal_url_of_another_person_is_not_found(client, chen, wife, outsider):
    """The outsider and even the wife (same household, not authorised) get 404 for the
    owner's photo and QR code, for his authorisations, and cannot name his household."""
    apply(client, chen)
    approved(CHEN_ID)
    owner = person(CHEN_ID).pk
    wife_id = person(WIFE_ID).pk
    household = post(
        client,
        "/authorisations",
        chen,
        {
            "kind": "household",
            "member_id": wife_id,
            "starts_on": str(timezone.localdate()),
            "ends_on": str(timezone.localdate() + dt.timedelta(days=7)),
            "password": PASSWORD,
        },
    ).json()["authorisation"]["id"]
    for headers in (outsider, wife):
        assert client.get(f"{URL}/cards/{owner}/photo", headers=headers).status_code == 404
        assert post(client, f"/cards/{owner}/qr", headers).status_code == 404
    for verb in ("agree", "decline", "revoke"):
        response = post(client, f"/authorisations/{household}/{verb}", outsider)
        assert (response.status_code, response.json()["code"]) == (404, "not_found"), verb
    # The owner cannot answer for his wife, who may.
    assert post(client, f"/authorisations/{household}/agree", chen).status_code == 404
    assert post(client, f"/authorisations/{household}/agree", wife).status_code == 200
    assert post(client, f"/authorisations/{household}/revoke", outsider).status_code == 404
    assert not QrToken.objects.exists()
    response = post(
        client,
        "/authorisations",
        chen,
        {
            "kind": "household",
            "member_id": person(LIN_ID).pk,
            "starts_on": str(timezone.localdate()),
            "ends_on": str(timezone.localdate()),
            "password": PASSWORD,
        },
    )
    assert response.status_code == 404
    assert Authorisation.objects.count() == 1


def test_a_childs_card_is_the_parents_to_show(client, outsider):
    """林雅婷's son (5) is insured under her: his card is hers to show, by rule."""
    son = person(SON_ID)
    outsider_id = person(LIN_ID)
    apply(
        client,
        outsider,
        member_id=str(son.pk),
        document_kind="nhi_card",
        email="yating@example.com",
    )
    approved(SON_ID)
    cards = get(client, "/cards", outsider).json()
    assert [(c["owner"]["name"], c["basis"]) for c in cards] == [("王宥辰", "child")]
    assert cards[0]["basis_label"] == zh(api.BASIS_LABELS["child"])
    assert post(client, f"/cards/{son.pk}/qr", outsider).status_code == 201
    assert outsider_id.pk != son.pk


def test_cards_take_a_few_queries_however_many_there_are(
    client, chen, wife, outsider, django_assert_max_num_queries
):
    """我可使用 with his own card, his wife's (household) and 林雅婷's (specific person)."""
    me, today = person(CHEN_ID), timezone.localdate()
    for national_id, headers in ((CHEN_ID, chen), (WIFE_ID, wife), (LIN_ID, outsider)):
        apply(client, headers, email="someone@example.com")
        approved(national_id)
    with django_assert_max_num_queries(6):
        assert len(get(client, "/cards", chen).json()) == 1
    household = services.authorise_household(
        grantor=person(WIFE_ID), grantee_id=me.pk, starts_on=today, ends_on=today
    )
    services.agree(person=me, authorisation_id=household.pk)
    _row, code = services.authorise_specific(
        grantor=person(LIN_ID),
        national_id=CHEN_ID,
        name="陳志明",
        starts_on=today,
        ends_on=today,
    )
    services.claim(grantee=me, code=code)
    with django_assert_max_num_queries(6):
        cards = get(client, "/cards", chen).json()
    assert [c["basis"] for c in cards] == ["self", "household", "specific"]
    assert cards[1]["authorisation_id"] == household.pk and cards[0]["authorisation_id"] is None


# --- authorisations (授權與管理) --------------------------------------------------------------


def authorise_wife(client, headers, password=PASSWORD):
    today = timezone.localdate()
    return post(
        client,
        "/authorisations",
        headers,
        {
            "kind": "household",
            "member_id": person(WIFE_ID).pk,
            "starts_on": str(today),
            "ends_on": str(today + dt.timedelta(days=30)),
            "password": password,
        },
    )


def test_a_household_member_agrees_and_may_then_show_the_card(client, chen, wife):
    apply(client, chen)
    approved(CHEN_ID)
    response = authorise_wife(client, chen)
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["code"] is None and created["code_qr_svg"] is None
    assert created["authorisation"]["state"] == "pending"

    waiting = get(client, "/authorisations", wife).json()["waiting"]
    assert [w["grantor"]["name"] for w in waiting] == ["陳志明"]
    response = post(client, f"/authorisations/{waiting[0]['id']}/agree", wife)
    assert response.json()["state"] == "active"
    cards = get(client, "/cards", wife).json()
    assert [(c["owner"]["name"], c["basis"]) for c in cards] == [("陳志明", "household")]
    assert post(client, f"/cards/{person(CHEN_ID).pk}/qr", wife).status_code == 201

    granted = get(client, "/authorisations", chen).json()["granted"]
    revoked = post(client, f"/authorisations/{granted[0]['id']}/revoke", chen)
    assert revoked.json()["state"] == "revoked"
    assert get(client, "/cards", wife).json() == []
    assert not QrToken.objects.filter(expires_at__gt=timezone.now()).exists()


def test_a_wrong_password_authorises_nobody(client, chen):
    apply(client, chen)
    approved(CHEN_ID)
    response = authorise_wife(client, chen, password="not-my-password")  # noqa: S106
    assert response.status_code == 403
    assert response.json()["code"] == "password_again"
    assert not Authorisation.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.VCARD_AUTHORISED).exists()
    # Counted for this sign-in, not toward the account's lockout.
    assert Account.objects.get(person__national_id=CHEN_ID).failed_logins == 0
    failed = AuditEvent.objects.get(action=Action.REAUTH_FAILED)
    assert failed.detail["purpose"] == "vcard_authorise" and failed.success is False


def test_too_many_wrong_passwords_end_the_apps_sign_in_but_never_lock(client, settings):
    """Whoever holds a stolen token (even with its refresh token) gets a few tries, then the
    sign-in ends; refreshing does not start the count again, and the owner is not locked."""
    pair = signed_in_tokens(client, CHEN_ID, "chen@example.com")
    bearer = lambda token: {"Authorization": f"Bearer {token}"}  # noqa: E731
    apply(client, bearer(pair["access_token"]))
    approved(CHEN_ID)
    for _attempt in range(settings.REAUTH_FAILURE_LIMIT - 1):
        response = authorise_wife(client, bearer(pair["access_token"]), password="not-mine")  # noqa: S106
        assert response.json()["code"] == "password_again"
    pair = client.post(
        "/api/v1/auth/refresh",
        {"refresh_token": pair["refresh_token"]},
        content_type="application/json",
    ).json()

    response = authorise_wife(client, bearer(pair["access_token"]), password="not-mine")  # noqa: S106

    assert response.status_code == 401
    assert response.json()["code"] == "reauth_ended" and response.json()["message"]
    assert get(client, "/cards", bearer(pair["access_token"])).json()["code"] == "token_invalid"
    refreshed = client.post(
        "/api/v1/auth/refresh",
        {"refresh_token": pair["refresh_token"]},
        content_type="application/json",
    )
    assert refreshed.json()["code"] == "token_invalid"
    account = Account.objects.get(person__national_id=CHEN_ID)
    assert (account.failed_logins, account.is_locked) == (0, False)
    assert not Authorisation.objects.exists()


@pytest.mark.parametrize("language", ["zh-hant", "en"])
def test_the_ended_sign_in_is_explained_in_the_apps_language(client, chen, settings, language):
    settings.REAUTH_FAILURE_LIMIT = 1
    apply(client, chen)
    approved(CHEN_ID)
    client.cookies["django_language"] = language  # the language switch
    response = authorise_wife(client, chen, password="x")  # noqa: S106
    expected = "已將您登出" if language == "zh-hant" else "you have been signed out"
    assert expected in response.json()["message"]


def test_authorising_needs_a_card_of_ones_own(client, chen):
    response = authorise_wife(client, chen)
    assert (response.status_code, response.json()["code"]) == (409, "no_card")


def test_a_specific_person_claims_the_code(client, chen, outsider):
    apply(client, chen)
    approved(CHEN_ID)
    today = timezone.localdate()
    body = {
        "kind": "specific",
        "national_id": LIN_ID,
        "name": "林雅婷",
        "starts_on": str(today),
        "password": PASSWORD,
    }
    too_long = post(
        client, "/authorisations", chen, {**body, "ends_on": str(today + dt.timedelta(days=40))}
    )
    assert too_long.json()["code"] == "period_outside_household"
    response = post(
        client, "/authorisations", chen, {**body, "ends_on": str(today + dt.timedelta(days=7))}
    )
    assert response.status_code == 201, response.json()
    created = response.json()
    assert len(created["code"]) == 9 and created["code_qr_svg"].startswith("data:image/svg")

    assert (
        post(client, "/authorisations/claim", chen, {"code": created["code"]}).json()["code"]
        == "code_invalid"
    )  # only the person named may claim it
    claimed = post(
        client, "/authorisations/claim", outsider, {"code": services.CODE_PREFIX + created["code"]}
    )
    assert claimed.status_code == 200 and claimed.json()["state"] == "active"
    cards = get(client, "/cards", outsider).json()
    assert [(c["owner"]["name"], c["basis_label"]) for c in cards] == [
        ("陳志明", zh(api.BASIS_LABELS["specific"]))
    ]
    again = post(client, "/authorisations/claim", outsider, {"code": created["code"]})
    assert again.json()["code"] == "code_invalid"


# --- where it is accepted (哪些院所可以用) ------------------------------------------------------


@pytest.fixture
def sites():
    AcceptingSite.objects.all().delete()  # the demo's; these are the test's
    taipei, kaohsiung = County.objects.get(code="63000"), County.objects.get(code="64000")

    def site(code, name, county, **services_):
        provider = Provider.objects.create(
            code=code,
            name=name,
            kind=Provider.Kind.CLINIC,
            county=county,
            township=county.townships.order_by("code").first(),
            phone="02-23456789",
            address="某路1號",
        )
        return AcceptingSite.objects.create(provider=provider, **services_)

    site("9901010001", "安心診所", taipei, outpatient=True, video=True)
    site("9901010002", "遠距醫院", taipei, telemedicine=True)
    site("9901010003", "港都居家護理所", kaohsiung, home_care=True)
    Provider.objects.create(
        code="9901010004",
        name="不收虛擬卡診所",
        kind=Provider.Kind.CLINIC,
        county=taipei,
        phone="02-1",
        address="x",
    )


def test_sites_are_public_and_filter_by_county_service_and_name(client, sites):
    everyone = get(client, "/sites").json()
    assert everyone["count"] == 3
    assert [c["name"] for c in everyone["counties"]] == ["臺北市", "高雄市"]
    assert [s["code"] for s in everyone["services"]] == [
        "outpatient",
        "video",
        "telemedicine",
        "home_care",
    ]
    taipei = get(client, "/sites?county=63000").json()
    assert sorted(r["name"] for r in taipei["results"]) == ["安心診所", "遠距醫院"]
    video = get(client, "/sites?service=video").json()["results"]
    assert [(r["name"], r["services"]) for r in video] == [
        ("安心診所", [zh(api.SERVICE_LABELS["outpatient"]), zh(api.SERVICE_LABELS["video"])])
    ]
    named = get(client, "/sites?q=居家").json()["results"]
    assert [(r["name"], r["county"], r["phone"]) for r in named] == [
        ("港都居家護理所", "高雄市", "02-23456789")
    ]
    client.cookies["django_language"] = "en"
    english = get(client, "/sites?q=居家").json()["results"][0]
    assert english["county"] == "Kaohsiung City"
    assert english["township"].isascii() and english["township"]


def test_sites_page_through_and_a_nonsense_offset_is_the_first_page(client, sites):
    assert [r["name"] for r in get(client, "/sites?limit=1&offset=1").json()["results"]] == [
        "遠距醫院"
    ]
    assert get(client, "/sites?offset=-5").status_code == 200


def test_sites_beyond_any_row_are_an_empty_page(client, sites):
    """Found by schemathesis: an offset past the database's integer was a server error."""
    for query in (
        "offset=24363699689730883584",
        f"limit={10**30}&offset={10**30}",
        f"limit=-{10**30}&offset=-{10**30}",
    ):
        answer = get(client, f"/sites?{query}")
        assert answer.status_code == 200, query
    assert get(client, "/sites?offset=1000").json()["results"] == []


def test_sites_with_nonsense_filters_find_nothing_and_never_fail(client, sites):
    """Found by schemathesis on PostgreSQL: a NUL in a filter was a server error."""
    assert get(client, "/sites?county=%00x").json()["results"] == []
    assert get(client, "/sites?county=６３０００").json()["results"] == []  # full-width digits
    assert get(client, "/sites?q=%00&limit=-48814580440").status_code == 200
