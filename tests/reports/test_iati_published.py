"""The IATI file is kept on disk while the records do not change (fundapp/reports/iati.py, "The published file"):
the first request streams it and writes it, the next ones get the same bytes from the file with one query (the
version), a recorded change makes a new one, and an unfinished file is never served."""

import pytest

from fundapp.demo.contributions import seed_contributions
from fundapp.reports import iati
from tests.contributions import factories as cf


@pytest.fixture
def kept(app, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "PUBLIC_FIGURES_CACHE", True)
    monkeypatch.setitem(app.config, "EXPORT_CACHE_FOLDER", str(tmp_path))
    return tmp_path


def test_the_file_is_written_once_and_served_until_the_records_change(client, db, queries, kept):
    seed_contributions()
    first = client.get("/api/v1/iati.xml")
    assert first.status_code == 200
    body = first.get_data()
    files = list(kept.glob("iati-*.xml"))
    assert len(files) == 1
    assert files[0].read_bytes() == body
    assert not list(kept.glob(".*partial"))

    with queries() as q:
        again = client.get("/api/v1/iati.xml")
        assert again.get_data() == body  # the same generated-datetime too: the same file
        again.close()  # as a server does once sent (the file is closed with the response)
    assert len(q) == 2  # the version and the fund's identifier (the file's name), nothing else
    assert again.mimetype == "application/xml"
    assert again.headers["Content-Disposition"] == first.headers["Content-Disposition"]
    assert first.headers["Content-Disposition"] == "inline; filename=XM-DAC-41114-MIG00.xml"
    assert again.headers["ETag"]
    unchanged = client.get("/api/v1/iati.xml", headers={"If-None-Match": again.headers["ETag"]})
    assert unchanged.status_code == 304
    unchanged.close()

    cf.deposit("DEU", "900000.00")  # a recorded change: the audit log's head moves
    fresh = client.get("/api/v1/iati.xml").get_data()
    assert fresh != body
    assert b"900000.00" in fresh
    remaining = list(kept.glob("iati-*.xml"))
    assert len(remaining) == 1
    assert remaining[0] != files[0]  # the older file is gone


def test_a_reader_who_leaves_early_leaves_no_file(client, db, kept):
    seed_contributions()
    with client.application.test_request_context():
        chunks = iati.stream_published(batch=1)
        next(chunks)
        assert list(kept.glob(".*partial"))  # written as it goes, under a name nobody serves
        chunks.close()  # the reader left
    assert not list(kept.iterdir())
    assert client.get("/api/v1/iati.xml").get_data()  # streamed and written whole this time
    assert len(list(kept.glob("iati-*.xml"))) == 1


def test_without_the_public_cache_nothing_is_written(client, app, db, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "EXPORT_CACHE_FOLDER", str(tmp_path))
    assert app.config["PUBLIC_FIGURES_CACHE"] is False
    assert client.get("/api/v1/iati.xml").status_code == 200
    assert not list(tmp_path.iterdir())
