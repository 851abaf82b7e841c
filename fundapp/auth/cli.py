"""`flask users …`: account commands, shaped like a view (look up, call the service, commit once, report)."""

import click
from flask.cli import AppGroup

from fundapp.auth import services
from fundapp.core.edge import transaction
from fundapp.core.errors import DomainError
from fundapp.core.permissions import Role

users_cli = AppGroup("users", help="User accounts.")


@users_cli.command("create")
@click.argument("email")
@click.option("--name", required=True)
@click.option("--organisation", "org_code", required=True, help="Organisation code, e.g. MPTF-FMU.")
@click.option("--role", "roles", multiple=True, required=True, type=click.Choice([r.value for r in Role]))
@click.password_option()
def create(email: str, name: str, org_code: str, roles: tuple[str, ...], password: str) -> None:
    """Create a user, e.g. the first administrator of a new installation."""
    organisation = services.organisation_by_code(org_code)
    if organisation is None:
        raise click.BadParameter(f"No organisation with the code {org_code}.", param_hint="--organisation")
    try:
        with transaction():
            user = services.create_user(None, email, name, organisation, list(roles), password)
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"User {user.email} created.")


@users_cli.command("prune")
@click.option(
    "--keep-days", default=90, show_default=True, type=click.IntRange(min=1), help="Keep records younger than this."
)
def prune(keep_days: int) -> None:
    """Delete old sign-in records: ended sessions, attempts, reset links, rate-limit windows (run daily)."""
    with transaction():
        counts = services.prune_records(keep_days)
    click.echo("Deleted: " + ", ".join(f"{count} {name}" for name, count in counts.items()) + ".")
