"""The image code (圖型驗證碼): asked for by the sign-ins the seeds show it on and no others,
told in the reader's language, and spoken in that language for those who cannot read it."""

from __future__ import annotations

import importlib
import io
import re
import wave

import pytest
from captcha.fields import CaptchaField
from captcha.models import CaptchaStore
from django import forms
from django.apps import apps

from healthbank.employers.forms import UnitLoginForm
from healthbank.identity import forms as identity_forms
from healthbank.identity import imagecode
from healthbank.identity.imagecode import ImageCodeField

needs_synthesiser = pytest.mark.skipif(
    imagecode.synthesiser() is None,
    reason="espeak-ng is not installed (Debian's espeak-ng; `make packages` installs it): "
    "the image code cannot be spoken",
)


def _every_form() -> set[type[forms.BaseForm]]:
    for config in apps.get_app_configs():
        if config.name.startswith("healthbank."):
            for module in ("forms", "admin", "views"):
                try:
                    importlib.import_module(f"{config.name}.{module}")
                except ModuleNotFoundError:
                    pass
    found, todo = set(), [forms.BaseForm]
    while todo:
        for sub in todo.pop().__subclasses__():
            found.add(sub)
            todo.append(sub)
    return {form for form in found if form.__module__.startswith("healthbank.")}


def test_every_image_code_of_the_site_is_the_translated_one():
    with_code = {
        form
        for form in _every_form()
        for field in form.base_fields.values()
        if isinstance(field, CaptchaField)
    }
    assert with_code, "no form found"
    for form in with_code:
        fields = [f for f in form.base_fields.values() if isinstance(f, CaptchaField)]
        assert all(isinstance(f, ImageCodeField) for f in fields), form


def test_the_sign_ins_the_seeds_show_it_on_ask_for_it_and_no_others():
    def asks(form) -> bool:
        return any(isinstance(f, ImageCodeField) for f in form.base_fields.values())

    # Seed 000: 一般登入 and 健保卡; the insured units' password sign-in.
    for form in (identity_forms.PasswordLoginForm, identity_forms.CardLoginForm, UnitLoginForm):
        assert asks(form), form
    # Seed 001's 卡片登入 for the certificate, seed 003's registration site: none.
    for form in (
        identity_forms.CertificateLoginForm,
        identity_forms.RegistrationLoginForm,
        identity_forms.ApplyCardForm,
        identity_forms.ApplyDetailsForm,
        identity_forms.ForgotForm,
        identity_forms.ResetForm,
        identity_forms.ConfirmForm,
    ):
        assert not asks(form), form


def test_the_code_is_digits():
    for _ in range(50):
        shown, answer = imagecode.digits_challenge()
        assert shown == answer and re.fullmatch(r"[0-9]{5}", answer)


@pytest.mark.parametrize(
    ("language", "alt", "wrong", "label"),
    [
        ("zh-hant", "圖型驗證碼：請輸入圖中的數字", "圖型驗證碼錯誤或已逾時", "圖型驗證碼"),
        (
            "en",
            "Image code: a picture of the digits to type",
            "The image code was wrong",
            "Image code",
        ),
    ],
)
@pytest.mark.parametrize(
    ("url", "prefix"),
    [("/login/", "password-"), ("/login/?tab=card", "card-"), ("/units/login/", "")],
)
def test_the_image_code_speaks_the_readers_language(
    client, db, language, alt, wrong, label, url, prefix
):
    client.cookies["django_language"] = language
    html = client.get(url).content.decode()
    assert f'alt="{alt}' in html
    assert 'alt="captcha"' not in html
    assert re.search(rf'<label for="id_{prefix}captcha_1">{label}', html)
    data = {"tab": prefix.strip("-"), f"{prefix}captcha_0": "nothing", f"{prefix}captcha_1": "1"}
    html = client.post(url, data).content.decode()
    assert wrong in html
    assert "CAPTCHA" not in html


def test_the_certificate_sign_ins_have_no_image_code(client, db):
    for url in ("/login/?tab=certificate", "/eservice/login/"):
        html = client.get(url).content.decode()
        assert "captcha" not in html, url


@needs_synthesiser
def test_the_code_is_spoken_in_the_readers_language(client, db):
    key = CaptchaStore.generate_key()
    code = CaptchaStore.objects.get(hashkey=key).response
    url = f"/captcha/spoken/{key}.wav"
    sounds = {}
    for language in ("zh-hant", "en"):
        client.cookies["django_language"] = language
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "audio/wav"
        assert response["Content-Language"] == language
        assert "no-store" in response["Cache-Control"]
        assert code not in response["Content-Disposition"]
        sounds[language] = body = b"".join(response.streaming_content)
        with wave.open(io.BytesIO(body)) as sound:
            assert sound.getnframes() / sound.getframerate() > 3  # five digits, twice
    assert sounds["zh-hant"] != sounds["en"]


@needs_synthesiser
def test_a_player_may_ask_for_part_of_the_sound(client, db):
    key = CaptchaStore.generate_key()
    response = client.get(f"/captcha/spoken/{key}.wav", headers={"range": "bytes=0-99"})
    assert response.status_code == 206
    assert len(b"".join(response.streaming_content)) == 100


@needs_synthesiser
def test_the_login_page_offers_the_sound_without_writing_the_code(client, db):
    html = client.get("/login/").content.decode()
    key = re.search(r'name="password-captcha_0" value="(\w+)"', html).group(1)
    code = CaptchaStore.objects.get(hashkey=key).response
    assert f'<audio controls preload="none" src="/captcha/spoken/{key}.wav"' in html
    assert code not in html


def test_an_expired_or_unknown_code_is_gone(client, db):
    if imagecode.synthesiser() is None:
        assert client.get("/captcha/spoken/abc.wav").status_code == 404
    else:
        assert client.get("/captcha/spoken/abc.wav").status_code == 410


def test_without_a_synthesiser_the_picture_is_shown_alone(client, db, settings):
    settings.IMAGE_CODE_SYNTHESISER = "no-such-synthesiser"
    imagecode.synthesiser.cache_clear()
    try:
        html = client.get("/login/").content.decode()
        key = re.search(r'name="password-captcha_0" value="(\w+)"', html).group(1)
        assert "<audio" not in html
        assert client.get(f"/captcha/spoken/{key}.wav").status_code == 404
    finally:
        imagecode.synthesiser.cache_clear()
