"""A provider's own batches: every read starts from the provider, so another's is a 404."""

from __future__ import annotations

from collections.abc import Iterator

from django.http import Http404

from healthbank.ingest.models import Batch, BatchProblem
from healthbank.records.models import Provider


def batches(provider: Provider, *, limit: int = 50, offset: int = 0) -> list[Batch]:
    return list(Batch.objects.filter(provider=provider).order_by("-pk")[offset : offset + limit])


def batch(provider: Provider, batch_id: int) -> Batch:
    found = Batch.objects.filter(provider=provider, pk=batch_id).first()
    if found is None:
        raise Http404
    return found


def problems(provider: Provider, batch_id: int) -> Iterator[BatchProblem]:
    owned = batch(provider, batch_id)
    return BatchProblem.objects.filter(batch=owned).order_by("position", "pk").iterator(2000)
