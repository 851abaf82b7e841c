"""CLI groups. Commands have a view's shape: look up, call a service, commit once, report."""

import click
from flask import Flask
from flask.cli import AppGroup

from fundapp.core.audit import verify_chain
from fundapp.core.extensions import db

audit_cli = AppGroup("audit", help="Audit log tools.")


@audit_cli.command("verify")
def audit_verify() -> None:
    """Recompute the hash chain and name the first broken row."""
    report = verify_chain()
    if report.ok:
        click.secho(f"Audit log intact: {report.checked} rows checked.", fg="green")
        return
    click.secho(f"Audit log broken at row {report.broken_id}: {report.reason}.", fg="red", err=True)
    raise SystemExit(1)


def register_cli(app: Flask) -> None:
    app.cli.add_command(audit_cli)
    app.shell_context_processor(lambda: {"db": db})
