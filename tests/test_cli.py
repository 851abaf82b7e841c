"""CLI commands: same shape as views, one commit, clear output."""

import sqlalchemy as sa

from fundapp.auth.models import User


def test_reference_load_twice_creates_nothing_the_second_time(runner):
    result = runner.invoke(args=["reference", "load"])
    assert result.exit_code == 0
    assert "nothing was missing" in result.output


def test_demo_seed_is_idempotent(runner, db):
    assert runner.invoke(args=["demo", "seed"]).exit_code == 0  # the first run adds the demo's own records
    before = db.session.scalar(sa.select(sa.func.count()).select_from(User))
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == before
    assert "already holds data" in runner.invoke(args=["demo", "seed", "--if-empty"]).output


def test_demo_accounts_lists_every_sign_in(runner):
    output = runner.invoke(args=["demo", "accounts"]).output
    assert "fundapp-demo" in output
    for email in ("admin@", "secretariat@", "chair@", "member11@", "applicant@", "applicant2@", "donor@", "donor12@"):
        assert email in output


def test_users_create(runner, db):
    result = runner.invoke(
        args=["users", "create", "Boss@Fund.org", "--name", "Boss", "--organisation", "MPTF-FMU", "--role", "admin"],
        input="a-strong-password\na-strong-password\n",
    )
    assert result.exit_code == 0, result.output
    assert db.session.scalar(sa.select(User).where(User.email == "boss@fund.org")).role_names == {"admin"}
    bad = runner.invoke(
        args=["users", "create", "x@fund.org", "--name", "X", "--organisation", "NOPE", "--role", "admin"],
        input="a-strong-password\na-strong-password\n",
    )
    assert bad.exit_code != 0
    assert "No organisation" in bad.output
