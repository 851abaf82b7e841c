"""CLI groups. Commands have a view's shape: look up, call a service, commit once, report."""

import click
from flask import Flask
from flask.cli import AppGroup

from fundapp.core import audit
from fundapp.core.edge import transaction
from fundapp.core.extensions import db

audit_cli = AppGroup("audit", help="Audit log tools.")


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


def register_cli(app: Flask) -> None:
    app.cli.add_command(audit_cli)
    app.shell_context_processor(lambda: {"db": db})
