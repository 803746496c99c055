"""The API's request and response bodies."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import ConfigDict, field_validator

NO_NUL = r"^[^\x00]*$"


def _document_no_nul(schema: dict[str, Any]) -> None:
    """Every free-text property of a body says what Body refuses: NUL characters."""
    for prop in schema.get("properties", {}).values():
        for option in [prop, *prop.get("anyOf", [])]:
            free_text = option.get("type") == "string" and not (
                {"pattern", "enum", "format"} & option.keys()
            )
            if free_text:
                option["pattern"] = NO_NUL


class Body(Schema):
    """A request body; no NUL characters (PostgreSQL text cannot hold them). Patterns are
    Python's, as in the document."""

    model_config = ConfigDict(regex_engine="python-re", json_schema_extra=_document_no_nul)

    @field_validator("*", mode="before")
    @classmethod
    def no_nul(cls, value: object) -> object:
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("NUL character")
        return value


# Text that must say something: not empty, not only spaces (the services strip it), no NUL.
SOME_TEXT = r"^[^\x00]*[^\x00\s][^\x00]*$"
Platform = Literal["ios", "android", "web"]  # identity.models.Device.Platform


class ErrorOut(Schema):
    code: str
    message: str


class VerifyIn(Body):
    code: str = Field(max_length=100)
    platform: Platform
    model: str = Field("", max_length=100)
    identifier: str = Field(min_length=1, max_length=200, pattern=SOME_TEXT)


class VerifyPhoneIn(Body):
    """行動電話認證 (seed 004): card number's last 4 digits, mobile number, national ID, then
    the registration password."""

    card_last4: str = Field(max_length=4, description="Last 4 digits of the NHI card number")
    mobile: str = Field(max_length=20, description="Mobile number, e.g. 0912345678")
    national_id: str = Field(max_length=10)
    password: str = Field(max_length=128)
    platform: Platform
    model: str = Field("", max_length=100)
    identifier: str = Field(min_length=1, max_length=200, pattern=SOME_TEXT)


class VerifyOut(Schema):
    device_credential: str
    account: str = Field(description="The account holder's masked national ID")


class LoginIn(Body):
    national_id: str = Field(max_length=10)
    password: str = Field(max_length=128)
    identifier: str = Field(max_length=200)
    device_credential: str = Field(max_length=100)


class TokensOut(Schema):
    access_token: str
    refresh_token: str
    expires_in: int = Field(description="Seconds the access token stays valid")


class RefreshIn(Body):
    refresh_token: str = Field(max_length=100)


class DeviceOut(Schema):
    id: int
    platform: str
    model: str
    identifier: str = Field(description="Masked")
    verified_at: dt.datetime
    active: bool
    this_device: bool


class TodayCategoryOut(Schema):
    code: str
    label: str
    count: int | None = Field(description="Rows once made (0: 無資料); null before")


class TodayOut(Schema):
    request_id: int
    requested_on: dt.date = Field(description="The day asked for (申請日期), Taipei time")
    status: str = Field(description="pending, running, ready, empty, failed or expired")
    label: str
    categories: list[TodayCategoryOut]


class CategoryOut(Schema):
    code: str
    label: str
    group: str


class RecordOut(Schema):
    id: int
    date: dt.date | None = None
    provider: str | None = None
    summary: str
    diagnosis_code: str | None = None
    diagnosis_name: str | None = None
    copayment: int | None = None
    points: int | None = None
    item: str | None = None
    value: str | None = None
    unit: str | None = None
    flag: str | None = None


class DetailOut(Schema):
    label: str
    value: str


class RecordDetailOut(RecordOut):
    details: list[DetailOut]
