"""What every API of the site shares: the error body `{code, message}` and the request body
base that refuses NUL characters. Here so that each API app (api, ingest, vcard) uses it
without importing another."""

from __future__ import annotations

from typing import Annotated

from ninja import Schema
from pydantic import BeforeValidator, ConfigDict, field_validator

NO_NUL = r"^[^\x00]*$"


def json_number(value):
    """A JSON number, as the document's `integer`/`number` says: `3.0` is the integer 3,
    but `false` and `"3"` are no numbers (pydantic's lax mode would take both)."""
    if isinstance(value, bool | str):
        raise ValueError("not a number")
    return value


# Bounds on an optional one go before the validator, as Annotated[int, Field(ge=0),
# BeforeValidator(json_number)] | None, or the document gets pydantic's own "ge" keys.
JsonInt = Annotated[int, BeforeValidator(json_number)]
JsonFloat = Annotated[float, BeforeValidator(json_number)]


def _document_no_nul(schema: dict) -> None:
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
    def no_nul(cls, value):
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("NUL character")
        return value


class ErrorOut(Schema):
    code: str
    message: str
