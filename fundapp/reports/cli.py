"""`flask reports freeze-year YEAR`: freeze a year's annual financial statement for a fund that closes its books
outside the app (closing December in the app does it by itself)."""

import click

from fundapp.core.edge import transaction
from fundapp.core.errors import DomainError
from fundapp.reports import bp, services


@bp.cli.command("freeze-year")
@click.argument("year", type=int)
def freeze_year(year: int) -> None:
    """Store YEAR's annual financial statement (figures and PDF with its SHA-256); later postings never change it."""
    existing = services.frozen_statement(year)
    if existing is not None:
        click.echo(f"{year} was already frozen on {existing.frozen_at:%Y-%m-%d} (PDF SHA-256 {existing.pdf_sha256}).")
        return
    try:
        with transaction():
            statement = services.freeze_year(None, year, "flask reports freeze-year")
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"{year} frozen: PDF SHA-256 {statement.pdf_sha256}.")
