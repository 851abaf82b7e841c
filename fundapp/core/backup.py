"""Backups that restore: one file holding the database and the uploaded attachments (`flask backup create`),
brought back into an empty instance (`flask backup restore`), which then verifies the audit log.

The file is a gzipped tar:

- `manifest.json`: the format, when and from which engine it was taken, the migration revision, each table's
  row count, the audit log's head and row count, and the SHA-256 of every other member;
- `database.sqlite3` (SQLite, copied with SQLite's online backup API, so a consistent snapshot even while the
  app writes) or `database.pgdump` (PostgreSQL, `pg_dump --format=custom`, one consistent snapshot; the
  `pg_dump` of the server's major version is used: PG_BIN_DIR, else /usr/lib/postgresql/<major>/bin, else PATH);
- `uploads/<stored name>`: the attachments, copied after the database snapshot.

Restoring refuses an instance holding any data (a row in any table, or a file in UPLOAD_FOLDER), a file whose
members do not match their SHA-256, and a backup of the other engine. Neither the audit key nor the anchor file
is in a backup: they belong to the instance's secrets and to its outside storage.
"""

import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import current_app

from fundapp.core import clock
from fundapp.core.errors import DomainError
from fundapp.core.extensions import db
from fundapp.core.models import AuditEntry
from fundapp.core.uploads import upload_folder

FORMAT = "fundapp-backup/1"
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite3"
PG_MEMBER = "database.pgdump"
UPLOADS = "uploads/"


class BackupError(DomainError):
    """A backup could not be taken or restored; the message says why."""


@dataclass
class Manifest:
    format: str
    created_at: str
    engine: str
    revision: str | None
    tables: dict[str, int]
    audit_rows: int
    audit_head: str | None
    files: dict[str, str] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return sum(self.tables.values())

    def as_json(self) -> str:
        return json.dumps(vars(self), indent=2, sort_keys=True)


# What the instance holds ---------------------------------------------------------------------------------------


def _engine() -> sa.Engine:
    return db.engine


def _tables(connection: sa.Connection) -> list[str]:
    names = set(sa.inspect(connection).get_table_names())
    return sorted(names - {"alembic_version"})


def _counts(connection: sa.Connection) -> dict[str, int]:
    return {
        table: connection.scalar(sa.select(sa.func.count()).select_from(sa.table(table)))
        for table in _tables(connection)
    }


def _revision(connection: sa.Connection) -> str | None:
    if "alembic_version" not in sa.inspect(connection).get_table_names():
        return None
    return connection.scalar(sa.text("SELECT version_num FROM alembic_version"))


def _upload_files() -> list[Path]:
    folder = Path(current_app.config["UPLOAD_FOLDER"])
    if not folder.exists():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file())


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# PostgreSQL's client programs ----------------------------------------------------------------------------------


def pg_program(name: str, connection: sa.Connection) -> str:
    """The path of pg_dump or pg_restore matching the server's major version."""
    major = int(connection.scalar(sa.text("SHOW server_version_num"))) // 10000
    candidates = []
    if current_app.config.get("PG_BIN_DIR"):
        candidates.append(Path(current_app.config["PG_BIN_DIR"]) / name)
    candidates.append(Path(f"/usr/lib/postgresql/{major}/bin") / name)
    on_path = shutil.which(name)
    if on_path:
        candidates.append(Path(on_path))
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK) and _major(candidate) >= major:
            return str(candidate)
    raise BackupError(
        f"No {name} of PostgreSQL {major} or later was found: install the PostgreSQL {major} client programs "
        "or set PG_BIN_DIR to their directory."
    )


def _major(program: Path) -> int:
    output = subprocess.run([str(program), "--version"], capture_output=True, text=True, check=False).stdout  # noqa: S603
    found = re.search(r"(\d+)(?:\.\d+)?", output)
    return int(found.group(1)) if found else 0


def _pg_env(url: sa.engine.URL) -> dict[str, str]:
    """libpq's environment for a URL (the password never goes on a command line)."""
    env = dict(os.environ)
    for key, value in (
        ("PGHOST", url.host),
        ("PGPORT", url.port),
        ("PGUSER", url.username),
        ("PGPASSWORD", url.password),
        ("PGDATABASE", url.database),
    ):
        if value is not None:
            env[key] = str(value)
    return env


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip() or result.returncode}")


# Create --------------------------------------------------------------------------------------------------------


def create_backup(target: Path) -> Manifest:
    """Write the database snapshot and the attachments to `target` (a .tar.gz); return its manifest."""
    engine = _engine()
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        snapshot = Path(scratch) / "snapshot"
        if engine.dialect.name == "sqlite":
            member = SQLITE_MEMBER
            _sqlite_snapshot(engine, snapshot)
            manifest = _describe(sa.create_engine(f"sqlite:///{snapshot}"), "sqlite")
        elif engine.dialect.name == "postgresql":
            member = PG_MEMBER
            manifest = _pg_snapshot(engine, snapshot)
        else:  # pragma: no cover - the two engines fundapp runs on
            raise BackupError(f"Backups of {engine.dialect.name} databases are not supported.")
        data = snapshot.read_bytes()
        manifest.files[member] = _sha256(data)
        partial = target.with_name(target.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            _add(archive, member, data)
            for path in _upload_files():
                content = path.read_bytes()
                manifest.files[UPLOADS + path.name] = _sha256(content)
                _add(archive, UPLOADS + path.name, content)
            _add(archive, MANIFEST, manifest.as_json().encode())
        partial.replace(target)  # a half-written backup never takes the final name
    return manifest


def _add(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(clock.now().timestamp())
    info.mode = 0o600
    archive.addfile(info, io.BytesIO(data))


def _sqlite_snapshot(engine: sa.Engine, snapshot: Path) -> None:
    """SQLite's online backup API: a consistent copy, page by page, while other connections keep working."""
    if engine.url.database in (None, "", ":memory:"):
        raise BackupError("An in-memory SQLite database cannot be backed up.")
    raw = engine.raw_connection()
    try:
        destination = sqlite3.connect(snapshot)
        try:
            raw.driver_connection.backup(destination)
        finally:
            destination.close()
    finally:
        raw.close()


def _describe(engine: sa.Engine, name: str) -> Manifest:
    """The manifest of a snapshot, read from the snapshot itself (so it says what the file holds)."""
    try:
        with engine.connect() as connection:
            head = connection.scalar(sa.select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1))
            counts = _counts(connection)
            return Manifest(
                format=FORMAT,
                created_at=clock.now().isoformat(timespec="seconds"),
                engine=name,
                revision=_revision(connection),
                tables=counts,
                audit_rows=counts.get(AuditEntry.__tablename__, 0),
                audit_head=head,
            )
    finally:
        engine.dispose()


def _pg_snapshot(engine: sa.Engine, snapshot: Path) -> Manifest:
    """pg_dump's custom format; the manifest's counts come from the same snapshot (exported to pg_dump)."""
    with engine.connect() as plain:
        program = pg_program("pg_dump", plain)
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection:
        snapshot_id = connection.scalar(sa.text("SELECT pg_export_snapshot()"))
        _run(
            [
                program,
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot_id}",
                f"--file={snapshot}",
            ],
            _pg_env(engine.url),
        )
        head = connection.execute(
            sa.select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)
        ).scalar_one_or_none()
        counts = _counts(connection)
        manifest = Manifest(
            format=FORMAT,
            created_at=clock.now().isoformat(timespec="seconds"),
            engine="postgresql",
            revision=_revision(connection),
            tables=counts,
            audit_rows=counts.get(AuditEntry.__tablename__, 0),
            audit_head=head,
        )
        connection.rollback()
    return manifest


# Restore -------------------------------------------------------------------------------------------------------


def read_manifest(source: Path) -> tuple[Manifest, dict[str, bytes]]:
    """The backup's manifest and members, each checked against its SHA-256."""
    try:
        with tarfile.open(source, "r:gz") as archive:
            members = {}
            for info in archive.getmembers():
                if not info.isfile():
                    raise BackupError(f"{source} holds something that is not a file: {info.name}.")
                members[info.name] = archive.extractfile(info).read()
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(f"{source} is not a fundapp backup ({exc}).") from exc
    try:
        manifest = Manifest(**json.loads(members.pop(MANIFEST)))
    except (KeyError, TypeError, ValueError) as exc:
        raise BackupError(f"{source} has no readable manifest: it is not a fundapp backup.") from exc
    if manifest.format != FORMAT:
        raise BackupError(f"{source} is a {manifest.format} file; this version restores {FORMAT}.")
    if set(members) != set(manifest.files):
        raise BackupError(f"{source} does not hold the files its manifest lists: it is incomplete.")
    for name, data in members.items():
        if _sha256(data) != manifest.files[name]:
            raise BackupError(f"{name} in {source} does not match its SHA-256: the file is damaged.")
    return manifest, members


def instance_holdings() -> tuple[int, int]:
    """(rows in the database's tables, files in UPLOAD_FOLDER): an empty instance has (0, 0)."""
    with _engine().connect() as connection:
        rows = sum(_counts(connection).values())
    return rows, len(_upload_files())


def restore_backup(source: Path) -> Manifest:
    """Bring a backup back into this empty instance: the database, then the attachments."""
    manifest, members = read_manifest(Path(source))
    engine = _engine()
    if manifest.engine != engine.dialect.name:
        raise BackupError(
            f"This backup is of a {manifest.engine} database; this instance runs on {engine.dialect.name}."
        )
    rows, files = instance_holdings()
    if rows or files:
        raise BackupError(
            f"This instance is not empty ({rows} rows in its database, {files} files in its upload folder): "
            "restore into a new, empty database and upload folder."
        )
    db.session.remove()
    engine.dispose()
    with tempfile.TemporaryDirectory() as scratch:
        if manifest.engine == "sqlite":
            _restore_sqlite(engine, members[SQLITE_MEMBER], Path(scratch))
        else:
            _restore_pg(engine, members[PG_MEMBER], Path(scratch))
    engine.dispose()
    folder = upload_folder()
    for name, data in members.items():
        if name.startswith(UPLOADS):
            stored = name.removeprefix(UPLOADS)
            if not stored or "/" in stored or stored.startswith("."):
                raise BackupError(f"{name} is not an attachment's name.")
            (folder / stored).write_bytes(data)
    return manifest


def _restore_sqlite(engine: sa.Engine, data: bytes, scratch: Path) -> None:
    if engine.url.database in (None, "", ":memory:"):
        raise BackupError("Restore into a SQLite file, not an in-memory database.")
    copy = scratch / "restore.sqlite3"
    copy.write_bytes(data)
    source = sqlite3.connect(copy)
    target = sqlite3.connect(engine.url.database)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()


def _restore_pg(engine: sa.Engine, data: bytes, scratch: Path) -> None:
    dump = scratch / "restore.pgdump"
    dump.write_bytes(data)
    with engine.connect() as connection:
        program = pg_program("pg_restore", connection)
    # --clean --if-exists: an empty instance may already have the (empty) schema of `flask db upgrade`.
    _run(
        [
            program,
            "--no-owner",
            "--no-privileges",
            "--clean",
            "--if-exists",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={engine.url.database}",
            str(dump),
        ],
        _pg_env(engine.url),
    )


def restored_counts() -> dict[str, int]:
    """Row counts of the restored database, to compare with the manifest's."""
    with _engine().connect() as connection:
        return _counts(connection)


def default_backup_path() -> Path:
    folder = Path(current_app.config.get("BACKUP_FOLDER") or Path(current_app.instance_path) / "backups")
    return folder / f"fundapp-{clock.now():%Y%m%d-%H%M%S}.tar.gz"


def summary(manifest: Manifest) -> dict[str, Any]:
    return {
        "engine": manifest.engine,
        "revision": manifest.revision,
        "rows": manifest.rows,
        "tables": len(manifest.tables),
        "attachments": sum(1 for name in manifest.files if name.startswith(UPLOADS)),
        "audit_rows": manifest.audit_rows,
    }
