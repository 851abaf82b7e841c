"""`flask notifications send`: what a scheduler runs every few minutes to retry mail that could not leave."""

import click

from fundapp.notifications import bp, services


@bp.cli.command("send")
@click.option("--limit", default=500, show_default=True, help="Send at most this many messages in one run.")
def send(limit: int) -> None:
    """Send every email still waiting in the outbox (each in its own short transaction)."""
    sent, failed = services.deliver_pending(limit=limit)
    waiting = services.pending_count()
    click.echo(f"Mail sent: {sent}; failed again: {failed}; still waiting: {waiting}.")
    if failed:
        raise SystemExit(1)
