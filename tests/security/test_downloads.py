"""Hostile strings through every PDF, CSV, XLSX, ZIP and XML route: printed as the characters typed, no link, no
image, no 500, no spreadsheet formula. The table is tests/security/downloads.py."""

import io
import zipfile

import pytest
from lxml import etree

from fundapp.core.tabular import XLSX_MIMETYPE
from tests.core import tamper
from tests.core.output_checks import csv_cells, pdf_body_text, pdf_images, pdf_links, squash, would_run, xlsx_cells
from tests.security import hostile
from tests.security.downloads import DOWNLOAD_ENDPOINTS, DOWNLOADS, Demo, Download, serves_files


def test_every_file_route_is_in_the_table(app):
    """A new PDF/CSV/XLSX/ZIP/XML route must join the table (and so this test) before it can pass."""
    registered = {rule.endpoint for rule in app.url_map.iter_rules() if serves_files(rule.rule)}
    assert registered - DOWNLOAD_ENDPOINTS == set(), "file routes missing from tests/security/downloads.py"
    every = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert DOWNLOAD_ENDPOINTS - every == set(), "the table lists routes that no longer exist"


def test_the_hostile_values_are_in_place(db):
    """Every field the table names exists, and the seeding really wrote the values (a check of the check)."""
    labels = {label for d in DOWNLOADS for label in d.prints}
    assert labels - set(hostile.BY_LABEL) == set()
    title = db.session.execute(db.text("SELECT title FROM concept_notes ORDER BY id LIMIT 1")).scalar()
    assert hostile.field("concept note title").value_pattern().fullmatch(title)


def _pdf(data: bytes, where: str) -> str:
    """The PDF's text without white space, after checking it has no link, no image, and every value whole."""
    assert data.startswith(b"%PDF-"), where
    assert pdf_links(data) == [], where
    assert pdf_images(data) == 0, where
    text = squash(pdf_body_text(data))
    assert hostile.intact(text, squashed=True) == [], where
    return text


def _cells(cells: list, where: str) -> str:
    """The cells joined, after checking none would run as a formula and every value is whole."""
    assert [c for c in cells if would_run(c)] == [], where
    texts = [c for c in cells if isinstance(c, str)]
    assert [broken for c in texts for broken in hostile.intact(c)] == [], where
    return "\n".join(texts)


def _xml(data: bytes, where: str) -> str:
    root = etree.fromstring(data)
    texts = [t for node in root.iter() for t in (node.text, *node.attrib.values()) if t]
    assert [broken for t in texts for broken in hostile.intact(t)] == [], where
    return "\n".join(texts)


def _zip(data: bytes, where: str) -> tuple[str, str]:
    """(text of every PDF, squashed; text of every other member) after checking each member."""
    pdfs, others = [], []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            member = archive.read(name)
            if name.endswith(".pdf") and not name.startswith("attachments/"):
                pdfs.append(_pdf(member, f"{where} {name}"))
            elif name.endswith(".csv"):
                others.append(_cells(list(csv_cells(member)), f"{where} {name}"))
            elif name.endswith(".txt"):
                text = member.decode("utf-8")
                assert hostile.intact(text) == [], f"{where} {name}"
                others.append(text)
    return "\n".join(pdfs), "\n".join(others)


@pytest.mark.parametrize("download", DOWNLOADS, ids=lambda d: d.id)
def test_hostile_strings_come_out_literally(client, login, download: Download):
    url = download.url(Demo()) if callable(download.url) else download.url
    if download.email:
        login(download.email)
    response = client.get(url)
    data = response.get_data()
    response.close()  # an attachment is sent from its file
    assert response.status_code == 200, url
    assert response.mimetype == download.mimetype, url
    # Downloads that need a sign-in are private: no cache keeps them. Public ones may be cached.
    assert ("no-store" in response.headers.get("Cache-Control", "")) == (download.email is not None), url

    squashed, text = "", ""
    if download.endpoint == "concept_notes.download_attachment":
        text = response.headers["Content-Disposition"]  # the stored file comes back as it was uploaded
    elif download.mimetype == "application/pdf":
        squashed = _pdf(data, url)
    elif download.mimetype == "text/csv":
        text = _cells(list(csv_cells(data)), url)
    elif download.mimetype == "application/zip":
        squashed, text = _zip(data, url)
    elif download.mimetype == "application/xml":
        text = _xml(data, url)
    else:
        text = _cells(list(xlsx_cells(data)), url)

    fields = [hostile.field(label) for label in download.prints]
    missing = [f.label for f in fields if not (f.squashed_pattern().search(squashed) or f.value_pattern().search(text))]
    assert missing == [], f"{url} no longer prints these fields: update the table if that is intended"


#: Characters a pasted text can bring: XML 1.0 cannot hold the first two, the others reorder or hide text.
CONTROL = "\x0b\x1b\x7f\u202e\u2066\u200b"


@pytest.mark.parametrize("download", DOWNLOADS, ids=lambda d: d.id)
def test_control_characters_never_break_a_download(client, login, db, download: Download):
    """Every free-text value ends with control characters: each download still comes out (no 500)."""
    with tamper.without_triggers(*hostile.protected_tables()):
        for f in hostile.FIELDS:
            table = db.metadata.tables[f.table]
            db.session.execute(table.update().values({f.column: table.c[f.column] + CONTROL}))
    db.session.commit()
    url = download.url(Demo()) if callable(download.url) else download.url
    if download.email:
        login(download.email)
    response = client.get(url)
    data = response.get_data()
    response.close()
    assert response.status_code == 200, url
    if download.mimetype == XLSX_MIMETYPE:
        assert list(xlsx_cells(data))
    elif download.mimetype == "application/xml":
        assert etree.fromstring(data) is not None
