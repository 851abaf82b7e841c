import click
import sqlalchemy as sa
from flask.cli import AppGroup

from fundapp.auth import services
from fundapp.auth.models import Organisation
from fundapp.core.errors import DomainError
from fundapp.core.extensions import db
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
    organisation = db.session.scalar(sa.select(Organisation).where(Organisation.code == org_code))
    if organisation is None:
        raise click.BadParameter(f"No organisation with the code {org_code}.", param_hint="--organisation")
    try:
        user = services.create_user(None, email, name, organisation, list(roles), password)
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    db.session.commit()
    click.echo(f"User {user.email} created.")
