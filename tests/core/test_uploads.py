"""Uploads: office files are opened as archives (zip bombs, too many parts, lying headers refused) and file
names lose control and bidirectional characters."""

import io
import unicodedata
import zipfile
import zlib
from pathlib import Path

import pytest
import sqlalchemy as sa

from fundapp.concept_notes.models import Attachment
from fundapp.core import uploads
from fundapp.core.uploads import UploadRefused, check_upload, clean_text
from tests.concept_notes.helpers import PDF_BYTES, make_note
from tests.core.zips import GIB, MIB, STAMP, deflated_zeros, docx_with, raw_zip


def _office_file(members: dict[str, bytes], part: str = "word") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("[Content_Types].xml", STAMP), "<Types/>")
        archive.writestr(zipfile.ZipInfo(f"{part}/document.xml", STAMP), "<x/>")
        for name, data in members.items():
            info = zipfile.ZipInfo(name, STAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()


# Zip bombs ---------------------------------------------------------------------------------------------


def test_the_zip_bomb_is_a_real_one():
    """The test's bomb: about 1 MB on the wire, 1 GiB once unpacked, and a zip any reader accepts."""
    bomb = docx_with("word/media/image1.bin", GIB)
    assert len(bomb) < 1.2 * MIB
    with zipfile.ZipFile(io.BytesIO(bomb)) as archive:
        assert archive.getinfo("word/media/image1.bin").file_size == GIB
        with archive.open("word/media/image1.bin") as stream:
            assert stream.read(MIB) == bytes(MIB)
    assert uploads.detect_kind(bomb) == "docx"


def test_a_one_gib_zip_bomb_in_a_one_mb_docx_is_refused():
    with pytest.raises(UploadRefused, match="unpacks to more than 50 MB"):
        check_upload("budget.docx", docx_with("word/media/image1.bin", GIB))


def test_a_member_compressed_beyond_reason_is_refused_under_the_total():
    """40 MiB of zeros is under the 50 MB total, but no document part compresses a thousand times."""
    data = docx_with("word/media/image1.bin", 40 * MIB)
    with pytest.raises(UploadRefused, match="as a zip bomb does"):
        check_upload("budget.docx", data)


def test_an_archive_with_too_many_parts_is_refused():
    data = _office_file({f"xl/worksheets/sheet{n}.xml": b"<x/>" for n in range(uploads.MAX_OFFICE_MEMBERS)}, "xl")
    assert len(data) < uploads.MAX_UPLOAD_BYTES
    with pytest.raises(UploadRefused, match="1,000 parts"):
        check_upload("book.xlsx", data)


def test_an_archive_whose_headers_lie_about_sizes_is_refused():
    """Declared 4 KB, really 2 MiB: the streamed read stops at the declared size and the CRC disagrees."""
    data, crc = deflated_zeros(2 * MIB)
    types = b"<Types/>"
    liar = raw_zip([
        ("[Content_Types].xml", 0, types, zlib.crc32(types), len(types)),
        ("word/document.xml", 8, data, crc, 4096),
    ])  # fmt: skip
    assert uploads.detect_kind(liar) == "docx"
    with pytest.raises(UploadRefused, match="damaged"):
        check_upload("letter.docx", liar)


def test_ordinary_office_files_pass(monkeypatch):
    """A workbook with a few MB of ordinary, compressible XML is accepted, and so is a PDF."""
    rows = "".join(f'<row r="{n}"><c r="A{n}" t="n"><v>{n * 37 % 1000}</v></c></row>' for n in range(60_000))
    workbook = _office_file({"xl/worksheets/sheet1.xml": rows.encode()}, "xl")
    checked = check_upload("book.xlsx", workbook)
    assert checked.kind == "xlsx"
    assert check_upload("letter.pdf", PDF_BYTES).kind == "pdf"


def test_the_total_is_counted_while_decompressing(monkeypatch):
    """The streamed count stops at the limit even when the declared sizes pass the first checks."""
    monkeypatch.setattr(uploads, "MAX_COMPRESSION_RATIO", 10**6)
    monkeypatch.setattr(uploads, "MAX_OFFICE_UNCOMPRESSED", 3 * MIB)
    first = _office_file({"word/media/a.bin": bytes(2 * MIB)})
    assert check_upload("a.docx", first).kind == "docx"
    second = _office_file({"word/media/a.bin": bytes(2 * MIB), "word/media/b.bin": bytes(2 * MIB)})
    with pytest.raises(UploadRefused, match="unpacks to more than 3 MB"):
        check_upload("b.docx", second)


# File names --------------------------------------------------------------------------------------------

RLO = "\u202e"


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        (f"invoice{RLO}xcod.pdf", "invoicexcod.pdf"),
        ("a\u202ab\u202bc\u202cd\u202de\u2066f\u2067g\u2068h\u2069i\u200ej\u200fk.pdf", "abcdefghijk.pdf"),
        ("tab\tnew\nline\r\x00\x1b\x7f\x85.pdf", "tab new line.pdf"),
        ("zero\u200bwidth\ufeff\u2060\u00ad.pdf", "zerowidth.pdf"),
        ("line\u2028para\u2029.pdf", "line para.pdf"),
        ("Cafe\u0301 re\u0301sume\u0301.pdf", "Café résumé.pdf"),  # decomposed accents become NFC
        (
            "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645.pdf",
            "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645.pdf",
        ),
        ("../../etc/passwd.pdf", "passwd.pdf"),
        (f"{RLO}\u200f.pdf", "document.pdf"),
    ],
    ids=[
        "rlo",
        "every-bidi-control",
        "c0-c1",
        "invisible",
        "separators",
        "nfc",
        "persian-zwnj",
        "path",
        "nothing-left",
    ],
)
def test_file_names_lose_control_characters_and_are_nfc(given, kept):
    checked = check_upload(given, PDF_BYTES)
    assert checked.filename == kept
    assert unicodedata.is_normalized("NFC", checked.filename)
    assert not [c for c in checked.filename if unicodedata.category(c) in {"Cc", "Zl", "Zp"}]


def test_clean_text_keeps_ordinary_names():
    assert clean_text("Budget 2021 (final) – Ünïcode, 预算.xlsx") == "Budget 2021 (final) – Ünïcode, 预算.xlsx"


# Through the page --------------------------------------------------------------------------------------


def _upload(client, note_id: int, data: bytes, name: str):
    return client.post(
        f"/concept-notes/{note_id}/attachments",
        data={"kind": "supporting", "back": "edit", "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def _attachments(db, note_id: int) -> list[Attachment]:
    return list(db.session.scalars(sa.select(Attachment).where(Attachment.concept_note_id == note_id)))


def test_the_zip_bomb_upload_is_refused_and_nothing_stored(app, db, client, login):
    note = make_note()
    db.session.commit()
    login("applicant@example.org")
    folder = Path(app.config["UPLOAD_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    before = set(folder.iterdir())
    response = _upload(client, note.id, docx_with("word/media/image1.bin", GIB), "budget.docx")
    assert response.status_code == 200
    assert "unpacks to more than 50 MB" in response.get_data(as_text=True)
    assert set(folder.iterdir()) == before
    assert _attachments(db, note.id) == []


def test_an_uploaded_name_with_a_right_to_left_override_is_stored_clean(db, client, login):
    note = make_note()
    db.session.commit()
    login("applicant@example.org")
    response = _upload(client, note.id, PDF_BYTES, f"endorsement{RLO}fdp.exe")
    page = response.get_data(as_text=True)
    assert "endorsementfdp.pdf attached" in page
    assert RLO not in page
    assert [a.filename for a in _attachments(db, note.id)] == ["endorsementfdp.pdf"]
