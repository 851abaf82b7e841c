"""`flask reference load`: load the fund's reference file (idempotent)."""

import click
from flask import current_app
from flask.cli import AppGroup

from fundapp.core.edge import transaction
from fundapp.reference.services import load_reference

reference_cli = AppGroup("reference", help="Reference data.")


@reference_cli.command("load")
@click.option("--file", "path", type=click.Path(exists=True, dir_okay=False), help="Reference file (JSON).")
def load(path: str | None) -> None:
    """Load the fund's reference data; rows that already exist are left alone."""
    with transaction():
        created = load_reference(path or current_app.config["REFERENCE_DATA_FILE"])
    total = sum(created.values())
    detail = ", ".join(f"{k} {v}" for k, v in created.items() if v)
    click.echo(
        f"Reference data loaded: {total} rows created" + (f" ({detail})." if detail else "; nothing was missing.")
    )
