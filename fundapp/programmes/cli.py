"""`flask programmes remind`: what a scheduler runs daily (reminders before reports are due, overdue flags)."""

from datetime import date

import click

from fundapp.core import clock
from fundapp.core.edge import transaction
from fundapp.programmes import bp, reporting


@bp.cli.command("remind")
@click.option("--on", "on", default=None, help="Run as of this date (YYYY-MM-DD); default today (UTC).")
@click.option("--days", default=reporting.REMIND_DAYS, show_default=True, help="Remind this many days before due.")
def remind(on: str | None, days: int) -> None:
    """Notify focal points of progress reports due soon, and them and the secretariat of overdue ones."""
    as_of = date.fromisoformat(on) if on else clock.today()
    with transaction():
        sent = reporting.remind(as_of, days)
    click.echo(f"Reminders sent: {sent['due_soon']} due soon, {sent['overdue']} overdue (as of {as_of.isoformat()}).")
