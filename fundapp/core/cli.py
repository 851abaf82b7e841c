"""CLI groups. Commands have a view's shape: look up, call a service, commit once, report."""

from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from fundapp.core import audit, backup
from fundapp.core.edge import transaction
from fundapp.core.extensions import db

audit_cli = AppGroup("audit", help="Audit log tools.")
backup_cli = AppGroup("backup", help="Backups of the database and the attachments, and their restore.")


@audit_cli.command("verify")
def audit_verify() -> None:
    """Recompute the keyed hash chain, hold it to its checkpoints and reconcile the ledger and deposits with
    their audit records; name the first problem. An intact log gets a new checkpoint."""
    with transaction():
        result = audit.verify()
        if result.ok:
            audit.write_checkpoint("flask audit verify")
    echo_verification(result)
    if not result.ok:
        raise SystemExit(1)


def echo_verification(result: audit.Verification) -> None:
    """What `flask audit verify` (and `flask backup restore`) print about a verification."""
    chain = result.chain
    if not chain.ok:
        where = f" at row {chain.broken_id}" if chain.broken_id is not None else ""
        click.secho(f"Audit log broken{where}: {chain.reason}.", fg="red", err=True)
    for problem in result.discrepancies:
        click.secho(f"Records differ from the audit log: {problem}.", fg="red", err=True)
    if not result.ok:
        return
    legacy = f", {chain.legacy} of them from before the key (plain SHA-256)" if chain.legacy else ""
    click.secho(
        f"Audit log intact: {chain.checked} rows checked{legacy}; held to {chain.checkpoints} checkpoint(s) and "
        f"{chain.anchors} anchor line(s); ledger and deposits reconcile with their audit records.",
        fg="green",
    )


@backup_cli.command("create")
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
def backup_create(file: Path | None) -> None:
    """Write FILE (default instance/backups/fundapp-<UTC time>.tar.gz): the database and the attachments."""
    target = file or backup.default_backup_path()
    try:
        manifest = backup.create_backup(target)
    except backup.BackupError as exc:
        raise click.ClickException(exc.message) from exc
    facts = backup.summary(manifest)
    click.secho(
        f"Backup written to {target}: {facts['engine']} database at revision {facts['revision']}, "
        f"{facts['rows']} rows in {facts['tables']} tables ({facts['audit_rows']} audit rows), "
        f"{facts['attachments']} attachment(s).",
        fg="green",
    )


@backup_cli.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def backup_restore(file: Path) -> None:
    """Bring FILE back into this empty instance (refused if it holds any data), then verify the audit log."""
    try:
        manifest = backup.restore_backup(file)
    except backup.BackupError as exc:
        raise click.ClickException(exc.message) from exc
    if backup.restored_counts() != manifest.tables:
        raise click.ClickException("The restored database does not hold the rows the backup recorded.")
    facts = backup.summary(manifest)
    click.echo(
        f"Restored {facts['rows']} rows in {facts['tables']} tables and {facts['attachments']} attachment(s), "
        f"taken {manifest.created_at} at revision {facts['revision']} (run `flask db upgrade` if this code is newer)."
    )
    with transaction():
        result = audit.verify()
        if result.ok:
            audit.write_checkpoint("flask backup restore")
    echo_verification(result)
    if not result.ok:
        raise SystemExit(1)


def register_cli(app: Flask) -> None:
    app.cli.add_command(audit_cli)
    app.cli.add_command(backup_cli)
    app.shell_context_processor(lambda: {"db": db})
