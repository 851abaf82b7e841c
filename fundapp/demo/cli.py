import click
from flask.cli import AppGroup

from fundapp.core.edge import transaction
from fundapp.demo import services
from fundapp.demo.scale import scale_demo

demo_cli = AppGroup("demo", help="The demo fund.")


@demo_cli.command("seed")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has users.")
def seed(if_empty: bool) -> None:
    """Create the demo fund (idempotent: what exists is kept)."""
    if if_empty and not services.is_database_empty():
        click.echo("Database already holds data; demo not seeded.")
        return
    with transaction():
        created = services.seed_demo()
    click.echo("Demo data: " + ", ".join(f"{k} {v} created" for k, v in created.items()) + ".")


@demo_cli.command("accounts")
def accounts() -> None:
    """Print the demo sign-ins."""
    click.echo(f"Demo sign-ins (password: {services.DEMO_PASSWORD}):")
    for email, _name, org, roles in services.demo_accounts():
        click.echo(f"  {email:<28} {', '.join(r.value for r in roles):<18} {org}")


@demo_cli.command("scale")
@click.option("--factor", type=click.IntRange(1, 1000), required=True, help="How many times the demo fund.")
def scale(factor: int) -> None:
    """Seed the demo fund, then copy it until the fund holds FACTOR times the demo (benchmarks, load tests).

    Runs on an empty database only: the copies are made from the demo's records.
    """
    if not services.is_database_empty():
        raise click.ClickException("The database already holds data: scale an empty database (after migrations).")
    with transaction():
        services.seed_demo()
    with transaction():
        added = scale_demo(factor)
    click.echo(f"Demo fund scaled to {factor}x: {sum(added.values()):,} rows added.")
