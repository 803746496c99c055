"""Model metadata looked up by name, typed for what the callers read."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models


def model_field(model: type[models.Model] | models.Model, name: str) -> models.Field[Any, Any]:
    """The model's own field `name` (get_field also finds the relations pointing at it)."""
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field):
        raise FieldDoesNotExist(f"{name} is a relation to {model._meta.label}, not its field")
    return field
