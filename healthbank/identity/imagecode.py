"""The image code (圖型驗證碼) of the sign-ins that ask for one, and its spoken version.

Which sign-ins ask for it, from the seeds: My Health Bank's 一般登入 (national ID + card
number + password + 圖型驗證碼, seed 000 "健康存摺登入方式" and its steps 2 and 5) and
健保卡 (card + password + 圖型驗證碼, seed 000 steps 3 and 4). The seeds show none on the
自然人憑證 sign-in (seed 001's 卡片登入 for 健保卡 | 自然人憑證 asks for the password only,
and seed 000 shows no certificate form), nor anywhere on the registration site (seed 003:
sign-in with 註冊密碼, apply, forgot password, seed 000's forgot-password steps 1-6). The
insured units' sign-in, with a password and no card, keeps one (employers.forms).

Every field is ImageCodeField, so every form shows the same translated texts (the library's
own are English: "Invalid CAPTCHA", alt "captcha") and the same spoken alternative
(WCAG 2.2 SC 1.1.1: a CAPTCHA in another sensory mode). The code is digits, so that it is
spoken without doubt in Mandarin and English and typed on any keypad. It is spoken by
espeak-ng in the page's language: Mandarin (voice cmn) on the Chinese page, English on the
English one; flite, the library's choice, speaks English only. Without espeak-ng the page
shows the picture alone.
"""

from __future__ import annotations

import functools
import io
import secrets
import shutil
import subprocess
import tempfile
from pathlib import Path

from captcha.fields import CaptchaField, CaptchaTextInput
from captcha.models import CaptchaStore
from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from ranged_response import RangedFileResponse

# espeak-ng voices by page language. Debian's Mandarin dictionary reads digits well but
# not every Chinese character, so nothing but the digits is spoken.
VOICES = {"zh-hant": "cmn", "en": "en-us"}
WORDS_PER_MINUTE = 130  # slower than the default 175: each digit heard clearly
PAUSE_BETWEEN_DIGITS = 15  # tens of milliseconds
SYNTH_SECONDS = 10


def digits_challenge() -> tuple[str, str]:
    """CAPTCHA_CHALLENGE_FUNCT: CAPTCHA_LENGTH random digits, shown and answered alike."""
    code = "".join(secrets.choice("0123456789") for _ in range(settings.CAPTCHA_LENGTH))
    return code, code


@functools.cache
def synthesiser() -> str | None:
    """espeak-ng's path, or None where it is not installed (the code is then not spoken)."""
    return shutil.which(settings.IMAGE_CODE_SYNTHESISER)


def speak(code: str, language: str) -> bytes:
    """A WAV file of the code's digits one by one, said twice, in the language's voice."""
    said = ", ".join(code)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "code.wav"
        # The code goes in by stdin, so that it is not on any process's command line.
        subprocess.run(  # noqa: S603 - a fixed program and arguments; the text on stdin
            [
                synthesiser() or "",
                "-v",
                VOICES.get(language, "cmn"),
                "-s",
                str(WORDS_PER_MINUTE),
                "-g",
                str(PAUSE_BETWEEN_DIGITS),
                "-w",
                str(path),
                "--stdin",
            ],
            input=f"{said}. . {said}.".encode(),
            capture_output=True,
            check=True,
            timeout=SYNTH_SECONDS,
        )
        return path.read_bytes()


@require_GET
def spoken(request: HttpRequest, key: str) -> HttpResponse:
    """The code of a live image code as a WAV file, in the page's language."""
    if synthesiser() is None:
        raise Http404
    store = CaptchaStore.objects.filter(hashkey=key, expiration__gt=timezone.now()).first()
    if store is None:
        return HttpResponse(status=410)  # gone: the page needs a new image code
    language = translation.get_language()
    cache_key = f"image-code-audio:{key}:{language}"
    # Players ask again for byte ranges; each asks for the same file.
    if (audio := cache.get(cache_key)) is None:
        audio = speak(store.response, language)
        cache.set(cache_key, audio, settings.CAPTCHA_TIMEOUT * 60)
    response = RangedFileResponse(request, io.BytesIO(audio), content_type="audio/wav")
    response["Content-Disposition"] = 'inline; filename="image-code.wav"'
    response["Content-Language"] = language
    response["Cache-Control"] = "no-store"
    return response


class ImageCodeWidget(CaptchaTextInput):
    """The picture, its spoken version (where it can be made) and the box to type in, with
    texts in the page's language; no fieldset, so the box has its own label."""

    template_name = "identity/widgets/image_code.html"
    use_fieldset = False

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.widgets[1].attrs.update({"inputmode": "numeric", "maxlength": settings.CAPTCHA_LENGTH})

    def audio_url(self):
        if synthesiser() is None:
            return None
        return reverse("identity:image_code_audio", kwargs={"key": self._key})


class ImageCodeField(CaptchaField):
    """圖型驗證碼: every image code of the site (imagecode's docstring says which forms)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Image code"))
        kwargs.setdefault("help_text", _("Type the digits in the picture."))
        kwargs.setdefault(
            "error_messages",
            {
                "invalid": _(
                    "The image code was wrong or has expired. Type the digits of the new picture."
                ),
                "required": _("Type the digits in the picture."),
                "incomplete": _("Type the digits in the picture."),
            },
        )
        super().__init__(widget=ImageCodeWidget(), **kwargs)
