"""`flask reports freeze-year YEAR`: freeze a year's annual financial statement for a fund that closes its books
outside the app (closing December in the app does it by itself). `flask iati …`: write the IATI export, and check
any IATI activity file as a registry would."""

import sys
from collections import Counter
from pathlib import Path

import click
from flask.cli import AppGroup

from fundapp.core import clock
from fundapp.core.edge import transaction
from fundapp.core.errors import DomainError
from fundapp.reports import bp, iati, iati_rules, services

iati_cli = AppGroup("iati", help="IATI 2.03 exports.")


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


@iati_cli.command("export")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="File to write (default: stdout).")
def export(output: str | None) -> None:
    """Write the fund's IATI activity file (what /api/v1/iati.xml serves)."""
    data = iati.export()
    if output:
        Path(output).write_bytes(data)
        click.echo(f"Wrote {output} ({len(data):,} bytes).", err=True)
    else:
        sys.stdout.buffer.write(data)


@iati_cli.command("validate")
@click.argument("file", type=click.File("rb"))
def validate(file) -> None:
    """Check FILE (an IATI activity file, "-" for stdin) against the IATI 2.03 schema, the IATI Standard's
    ruleset and the codelists shipped in fundapp/reports/data. Prints each finding with its rule id and XPath;
    exits 1 when there is any."""
    findings = iati_rules.validate(file.read(), clock.today())
    for finding in findings:
        click.echo(f"{finding.severity:<7} {finding.rule:<28} {finding.xpath}  {finding.message}")
    if findings:
        counts = Counter(f.severity for f in findings)
        click.echo(f"{len(findings)} finding(s): {counts['error']} error(s), {counts['warning']} warning(s).", err=True)
        sys.exit(1)
    click.echo("No findings: the schema, the IATI Standard ruleset and the codelists all pass.")
