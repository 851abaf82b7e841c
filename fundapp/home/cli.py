"""`flask overdue notify`: what a scheduler runs daily (overdue instalments, progress reports and tranches)."""

from datetime import date

import click
from flask.cli import AppGroup

from fundapp.core import clock
from fundapp.core.edge import transaction
from fundapp.home import overdue

overdue_cli = AppGroup("overdue", help="Overdue instalments, progress reports and tranches.")


@overdue_cli.command("notify")
@click.option("--on", "on", default=None, help="Run as of this date (YYYY-MM-DD); default today (UTC).")
@click.option(
    "--every",
    default=overdue.DEFAULT_EVERY_DAYS,
    show_default=True,
    type=click.IntRange(min=1),
    help="Remind the same person of the same item again after this many days.",
)
def notify(on: str | None, every: int) -> None:
    """Notify the people concerned by each overdue item; idempotent (at most once per person, item and day)."""
    try:
        as_of = date.fromisoformat(on) if on else clock.today()
    except ValueError as exc:
        raise click.BadParameter("a date as YYYY-MM-DD", param_hint="--on") from exc
    with transaction():
        sent = overdue.notify_overdue(as_of, every)
    click.echo(
        f"Overdue notices sent as of {as_of.isoformat()}: {sent['instalment']} about instalments, "
        f"{sent['report']} about progress reports, {sent['tranche']} about tranches."
    )
