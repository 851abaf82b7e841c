"""Helpers for the tests of streamed CSV exports: which batches an export read, and its body read as a client
reads a streamed download."""

import csv
import io
from collections.abc import Callable
from types import ModuleType

import pytest


def spy_batches(monkeypatch: pytest.MonkeyPatch, module: ModuleType, name: str) -> list[int]:
    """Replace the batch generator `module.name` by one yielding the same batches and noting each one's size;
    the returned list fills as an export reads them."""
    sizes: list[int] = []
    original: Callable = getattr(module, name)

    def spy(*args, **kwargs):
        for batch in original(*args, **kwargs):
            sizes.append(len(batch))
            yield batch

    monkeypatch.setattr(module, name, spy)
    return sizes


def streamed_body(client, url: str) -> str:
    """The body of a streamed CSV download, read chunk by chunk (it must be streamed, not built whole)."""
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    assert response.is_streamed
    assert response.mimetype == "text/csv"
    try:
        return b"".join(response.iter_encoded()).decode("utf-8")
    finally:
        response.close()


def dict_rows(body: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body)))


def read_in_batches(monkeypatch, client, url: str, module: ModuleType, generator: str, size: int) -> tuple[str, list]:
    """The export at `url` with `module.CSV_BATCH` set to `size`: its body and the sizes of the batches it read."""
    monkeypatch.setattr(module, "CSV_BATCH", size)
    with monkeypatch.context() as patch:
        sizes = spy_batches(patch, module, generator)
        body = streamed_body(client, url)
    return body, sizes
