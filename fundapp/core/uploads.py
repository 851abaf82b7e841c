"""Uploaded files: recognised by their content, size-checked, stored outside static under a random name.

Checks run on the bytes before anything is written, so a refused file leaves nothing behind.

Office files (.docx, .xlsx) are zip archives, and a small one can hold a huge one (a "zip bomb": 1 GiB of
zeros compresses to 1 MB). Whoever opens it later (a committee member's Word, an auditor unpacking a dossier)
pays for it, so an office file is opened as an archive here and refused when it declares more than
`MAX_OFFICE_MEMBERS` members or `MAX_OFFICE_UNCOMPRESSED` bytes in all, when a large member is compressed
beyond `MAX_COMPRESSION_RATIO`, or when its members, decompressed in a stream that stops at the limit, do
not match what they declare (a damaged archive, or one whose headers lie about the sizes).

File names keep what a person typed, minus what would deceive the next reader: control and invisible format
characters, among them the bidirectional controls (U+202A-U+202E, U+2066-U+2069, U+200E/F: a right-to-left
override makes the rest of a name read backwards on screen); then normalised to NFC, so the same name is
always the same characters.
"""

import hashlib
import io
import secrets
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from fundapp.core.errors import DomainError
from fundapp.core.i18n import _

#: 10 MB: enough for a scanned letter or a budget workbook.
MAX_UPLOAD_BYTES = 10 * 1024 * 1024

#: An office file unpacks to at most this many bytes (a long report with images is a few MB).
MAX_OFFICE_UNCOMPRESSED = 50 * 1024 * 1024
#: ... and holds at most this many members (a workbook has a few dozen parts).
MAX_OFFICE_MEMBERS = 1000
#: A member above RATIO_CHECK_BYTES uncompressed may be at most this many times its compressed size: Word and
#: Excel XML compresses 5 to 30 times, a run of zeros about a thousand times.
MAX_COMPRESSION_RATIO = 200
RATIO_CHECK_BYTES = 1024 * 1024
#: Decompression reads this much at a time while it counts.
_CHUNK = 64 * 1024
#: Format characters kept in names: the zero-width (non-)joiners spell words in Persian, Hindi and emoji.
_KEPT_FORMAT_CHARACTERS = {"\u200c", "\u200d"}
#: Unicode categories dropped from names: controls, format characters (bidirectional controls, zero-width
#: spaces, the byte-order mark), surrogates, private use, unassigned.
_DROPPED_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn"}

#: kind -> (extension, MIME type)
KINDS = {
    "pdf": ("pdf", "application/pdf"),
    "docx": ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}
ACCEPTED_LABEL = "PDF, Word (.docx) or Excel (.xlsx)"
#: The kinds that are zip archives.
OFFICE_KINDS = {"docx", "xlsx"}


class UploadRefused(DomainError):
    field = "file"


@dataclass(frozen=True)
class CheckedUpload:
    data: bytes
    kind: str
    filename: str
    sha256: str

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def content_type(self) -> str:
        return KINDS[self.kind][1]


def detect_kind(data: bytes) -> str | None:
    """'pdf', 'docx', 'xlsx' or None, from the bytes alone (the name and the browser's type lie)."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if not data.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if any(n.startswith("word/") for n in names):
        return "docx"
    if any(n.startswith("xl/") for n in names):
        return "xlsx"
    return None


def clean_text(name: str) -> str:
    """NFC, without control characters, bidirectional overrides and isolates, invisible format characters;
    white space of any kind (tab, newline, line separator) becomes one space."""
    kept = "".join(
        " " if c.isspace() else c
        for c in unicodedata.normalize("NFC", name)
        if c.isspace() or c in _KEPT_FORMAT_CHARACTERS or unicodedata.category(c) not in _DROPPED_CATEGORIES
    )
    return unicodedata.normalize("NFC", " ".join(kept.split()))


def _clean_name(filename: str | None, kind: str) -> str:
    """The name a person gave, cleaned, with the extension of what the file really is."""
    name = Path(clean_text(filename or "").replace("\\", "/")).name
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return f"{stem[:150].strip(' .') or 'document'}.{KINDS[kind][0]}"


def _check_archive(data: bytes) -> None:
    """Refuse an office file that unpacks to too much (see the module's docstring)."""
    too_big = UploadRefused(
        _(
            "This file unpacks to more than %(megabytes)s MB or %(parts)s parts, which no ordinary document does; "
            "save it again or split it.",
            megabytes=MAX_OFFICE_UNCOMPRESSED // (1024 * 1024),
            parts=format(MAX_OFFICE_MEMBERS, ","),
        )
    )
    damaged = UploadRefused(_("This file is damaged (its archive does not read back); save it again and retry."))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if len(members) > MAX_OFFICE_MEMBERS or sum(m.file_size for m in members) > MAX_OFFICE_UNCOMPRESSED:
                raise too_big
            for member in members:
                ratio = member.file_size / max(member.compress_size, 1)
                if member.file_size > RATIO_CHECK_BYTES and ratio > MAX_COMPRESSION_RATIO:
                    raise UploadRefused(
                        _(
                            "A part of this file unpacks to %(ratio)s times its packed size, as a zip bomb does; "
                            "no ordinary document does that.",
                            ratio=format(ratio, ",.0f"),
                        )
                    )
            total = 0
            for member in members:
                with archive.open(member) as stream:
                    while chunk := stream.read(_CHUNK):
                        total += len(chunk)
                        if total > MAX_OFFICE_UNCOMPRESSED:
                            raise too_big
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        NotImplementedError,
        RuntimeError,
        ValueError,
        OSError,
        EOFError,
    ) as exc:
        raise damaged from exc


def check_upload(filename: str | None, data: bytes, max_bytes: int = MAX_UPLOAD_BYTES) -> CheckedUpload:
    """Refuse empty, oversize, unrecognised and zip-bomb files with a message for the person uploading."""
    if not data:
        raise UploadRefused(_("The file is empty."))
    if len(data) > max_bytes:
        raise UploadRefused(_("The file is larger than %(megabytes)s MB.", megabytes=max_bytes // (1024 * 1024)))
    kind = detect_kind(data)
    if kind is None:
        raise UploadRefused(_("Only %(kinds)s files are accepted; this file is not one of them.", kinds=ACCEPTED_LABEL))
    if kind in OFFICE_KINDS:
        _check_archive(data)
    return CheckedUpload(
        data=data, kind=kind, filename=_clean_name(filename, kind), sha256=hashlib.sha256(data).hexdigest()
    )


def read_limited(stream, max_bytes: int = MAX_UPLOAD_BYTES) -> bytes:
    """Read at most max_bytes + 1 bytes, enough to tell an oversize file without holding all of it."""
    return stream.read(max_bytes + 1)


def upload_folder() -> Path:
    folder = Path(current_app.config["UPLOAD_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def store(upload: CheckedUpload) -> str:
    """Write the bytes under a random name (never the user's) and return that name."""
    stored_name = f"{secrets.token_hex(16)}.{KINDS[upload.kind][0]}"
    (upload_folder() / stored_name).write_bytes(upload.data)
    return stored_name


def path_of(stored_name: str) -> Path:
    """Where a stored file lives; refuses names that would leave the folder."""
    if "/" in stored_name or "\\" in stored_name or stored_name.startswith("."):
        raise ValueError("bad stored name")
    return upload_folder() / stored_name


def remove(stored_name: str) -> None:
    path_of(stored_name).unlink(missing_ok=True)
