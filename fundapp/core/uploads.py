"""Uploaded files: recognised by their content, size-checked, stored outside static under a random name.

Checks run on the bytes before anything is written, so a refused file leaves nothing behind.
"""

import hashlib
import io
import secrets
import zipfile
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from fundapp.core.errors import DomainError

#: 10 MB: enough for a scanned letter or a budget workbook.
MAX_UPLOAD_BYTES = 10 * 1024 * 1024

#: kind -> (extension, MIME type)
KINDS = {
    "pdf": ("pdf", "application/pdf"),
    "docx": ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}
ACCEPTED_LABEL = "PDF, Word (.docx) or Excel (.xlsx)"


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


def _clean_name(filename: str | None, kind: str) -> str:
    name = Path((filename or "").replace("\\", "/")).name.strip() or f"document.{KINDS[kind][0]}"
    stem = Path(name).stem[:150] or "document"
    return f"{stem}.{KINDS[kind][0]}"


def check_upload(filename: str | None, data: bytes, max_bytes: int = MAX_UPLOAD_BYTES) -> CheckedUpload:
    """Refuse empty, oversize and unrecognised files with a message for the person uploading."""
    if not data:
        raise UploadRefused("The file is empty.")
    if len(data) > max_bytes:
        raise UploadRefused(f"The file is larger than {max_bytes // (1024 * 1024)} MB.")
    kind = detect_kind(data)
    if kind is None:
        raise UploadRefused(f"Only {ACCEPTED_LABEL} files are accepted; this file is not one of them.")
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
