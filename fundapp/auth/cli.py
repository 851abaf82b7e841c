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
