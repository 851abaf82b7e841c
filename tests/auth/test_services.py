from datetime import timedelta

import pytest
import sqlalchemy as sa

from fundapp.api import tokens
from fundapp.auth import services, sessions
from fundapp.auth.models import LoginAttempt, Organisation, OrganisationType, User, UserRole, UserSession
from fundapp.auth.sessions import Client
from fundapp.core import clock
from fundapp.core.errors import DomainError, NotAllowed
from fundapp.core.models import AuditEntry
from fundapp.core.permissions import Role


def _org(db, code):
    return db.session.scalar(sa.select(Organisation).where(Organisation.code == code))


def _last_audit(db):
    return db.session.scalar(sa.select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))


def test_passwords_are_hashed_with_argon2(user):
    account = user("applicant@example.org")
    assert account.password_hash.startswith("$argon2")
    assert "fundapp-demo" not in account.password_hash
    assert services.verify_password(account, "fundapp-demo")
    assert not services.verify_password(account, "fundapp-demo ")


def test_authenticate_succeeds_case_insensitively_and_is_audited(db):
    result = services.authenticate(" Applicant@Example.org ", "fundapp-demo", Client("127.0.0.1"))
    assert result.ok
    assert result.step is None
    assert result.user.last_login_at is not None
    assert sessions.user_for_session(result.key) == result.user
    assert _last_audit(db).action == "auth.login"


@pytest.mark.parametrize(("email", "password"), [("applicant@example.org", "wrong-one"), ("nobody@example.org", "x")])
def test_authenticate_gives_one_message_for_unknown_and_wrong(db, email, password):
    result = services.authenticate(email, password)
    assert not result.ok
    assert result.message == "Email or password is not correct."
    assert _last_audit(db).action == "auth.login_failed"


def test_deactivated_users_and_organisations_cannot_sign_in(db, user):
    account = user("donor5@example.org")
    services.set_user_active(user("admin@example.org"), account, False)
    assert "deactivated" in services.authenticate("donor5@example.org", "fundapp-demo").message
    services.set_user_active(user("admin@example.org"), account, True)
    account.organisation.is_active = False
    db.session.flush()
    assert not services.authenticate("donor5@example.org", "fundapp-demo").ok


def test_create_user_validates_and_audits(db, user):
    admin = user("admin@example.org")
    created = services.create_user(
        admin, "New@Example.org", "New Person", _org(db, "UNHCR"), ["applicant"], "a-long-password"
    )
    assert created.email == "new@example.org"
    assert created.roles == {Role.applicant}
    assert _last_audit(db).action == "user.created"
    with pytest.raises(services.DuplicateEmail):
        services.create_user(admin, "new@example.org", "Again", _org(db, "UNHCR"), ["applicant"], "a-long-password")


@pytest.mark.parametrize(
    ("roles", "password", "field"),
    [
        ([], "a-long-password", "roles"),
        (["applicant"], "short", "password"),
        (["applicant"], "aaaaaaaaaaaa", "password"),
        (["applicant"], "fundapp-demo", "password"),
    ],
)
def test_create_user_refuses_bad_input(db, user, roles, password, field):
    with pytest.raises(DomainError) as error:
        services.create_user(user("admin@example.org"), "x@example.org", "X", _org(db, "UNHCR"), roles, password)
    assert error.value.field == field


def test_the_demo_seeder_sets_the_published_password_past_the_policy(db):
    """The demo's password is refused for anyone (above) but the demo's own accounts."""
    created = services.create_user(
        None, "demo.extra@example.org", "Demo", _org(db, "UNHCR"), ["donor"], "fundapp-demo", demo=True
    )
    assert services.verify_password(created, "fundapp-demo")
    assert '"demo":true' in _last_audit(db).details


def test_update_user_changes_roles_and_organisation(db, user):
    account = user("applicant4@example.org")
    services.update_user(user("admin@example.org"), account, "Olga P.", _org(db, "UNHCR"), ["applicant", "donor"])
    assert account.roles == {Role.applicant, Role.donor}
    assert account.organisation.code == "UNHCR"
    assert _last_audit(db).action == "user.updated"


def test_admin_cannot_lock_themselves_out(db, user):
    admin = user("admin@example.org")
    with pytest.raises(NotAllowed):
        services.set_user_active(admin, admin, False)
    with pytest.raises(NotAllowed):
        services.update_user(admin, admin, admin.name, admin.organisation, ["secretariat"])


def test_change_password_checks_current_and_ends_every_session(db, user):
    account = user("member3@example.org")
    here = sessions.start_session(account, Client("10.0.0.1"))
    elsewhere = sessions.start_session(account, Client("10.0.0.2"))
    with pytest.raises(DomainError):
        services.change_password(account, "wrong", "another-good-password")
    with pytest.raises(services.WeakPassword):
        services.change_password(account, "fundapp-demo", "short")
    fresh = services.change_password(account, "fundapp-demo", "another-good-password", Client("10.0.0.1"))
    assert services.verify_password(account, "another-good-password")
    assert sessions.user_for_session(here) is None  # a copy of this browser's old cookie opens nothing
    assert sessions.user_for_session(elsewhere) is None
    assert sessions.user_for_session(fresh) == account
    assert _last_audit(db).action == "auth.password_changed"


def test_deactivation_ends_sessions_and_api_tokens_at_once(db, user):
    admin, account = user("admin@example.org"), user("donor8@example.org")
    key = sessions.start_session(account, Client("10.0.0.8"))
    _row, token = tokens.create_token(account, "Dashboard")
    assert tokens.authenticate(f"Bearer {token}") == account
    services.set_user_active(admin, account, False)
    assert sessions.user_for_session(key) is None
    assert tokens.authenticate(f"Bearer {token}") is None
    services.set_user_active(admin, account, True)
    assert sessions.user_for_session(key) is None  # ended for good, not suspended
    assert tokens.authenticate(f"Bearer {token}") is None  # revoked, not merely refused while inactive
    assert "api_token.revoked_all" in {a.action for a in db.session.scalars(sa.select(AuditEntry))}


def test_change_email_asks_the_password_and_refuses_a_taken_address(db, user):
    account = user("applicant3@example.org")
    with pytest.raises(DomainError) as wrong:
        services.change_email(account, "wrong", "fatou@iom.int")
    assert wrong.value.field == "current_password"
    with pytest.raises(services.DuplicateEmail):
        services.change_email(account, "fundapp-demo", "applicant@example.org")
    services.change_email(account, "fundapp-demo", " Fatou@IOM.int ")
    assert account.email == "fatou@iom.int"
    assert services.authenticate("fatou@iom.int", "fundapp-demo").ok


def test_demo_has_every_role_and_twelve_committee_seats(db):
    counts = dict(db.session.execute(sa.select(UserRole.role, sa.func.count()).group_by(UserRole.role)).all())
    assert counts["committee_chair"] + counts["committee_member"] == 12
    assert counts["donor"] == 12
    assert {"admin", "secretariat", "applicant"} <= set(counts)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) >= 30


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (services.UserFilters(role="donor"), {"donor@example.org", *(f"donor{i}@example.org" for i in range(2, 13))}),
        (services.UserFilters(role="admin", status="active"), {"admin@example.org"}),
        (services.UserFilters(q="ADMIN@"), {"admin@example.org"}),
        (services.UserFilters(role="nobody", q="secretariat@"), {"secretariat@example.org"}),
    ],
)
def test_user_list_filters_in_sql(db, filters, expected):
    assert {u.email for u in services.users(filters)} == expected
    page = services.user_page(filters)
    assert {u.email for u in page.items} == expected
    assert page.total == len(expected)


def test_user_list_paginates_and_deactivated_users_filter_apart(db, user):
    services.set_user_active(user("admin@example.org"), user("donor7@example.org"), False)
    inactive = services.users(services.UserFilters(status="inactive"))
    assert [u.email for u in inactive] == ["donor7@example.org"]
    first, second = services.user_page(services.UserFilters(), page=1), services.user_page(services.UserFilters(), 2)
    assert len(first.items) == services.USERS_PER_PAGE
    assert not {u.id for u in first.items} & {u.id for u in second.items}


def test_head_counts_list_every_role_and_type(db, user):
    by_role = dict(services.active_users_by_role())
    assert list(by_role) == list(Role)
    assert by_role[Role.donor] == 12
    services.set_user_active(user("admin@example.org"), user("donor7@example.org"), False)
    assert dict(services.active_users_by_role())[Role.donor] == 11
    by_type = dict(services.active_organisations_by_type())
    assert by_type[OrganisationType.secretariat] == 1


def test_colleagues_are_the_active_role_holders_of_the_organisation(db, user):
    me = user("applicant@example.org")
    found = services.colleagues(me, Role.applicant)
    assert me in found
    assert {u.organisation_id for u in found} == {me.organisation_id}
    assert [u.name for u in found] == sorted(u.name for u in found)


def test_organisation_choices_and_lookup_by_code(db):
    org = services.organisation_by_code("UNHCR")
    assert (org.id, f"{org.name} (UNHCR)") in services.organisation_choices()
    assert services.organisation_by_code("NOPE") is None


def test_prune_deletes_old_sign_in_records_only(runner, db, user):
    account = user("donor2@example.org")
    with clock.frozen(clock.now() - timedelta(days=100)):
        old = sessions.start_session(account, Client())
        services.authenticate("donor2@example.org", "wrong", Client("192.0.2.1"))
    recent = sessions.start_session(account, Client())
    result = runner.invoke(args=["users", "prune"])
    assert result.exit_code == 0, result.output
    assert "1 sessions, 1 sign-in attempts" in result.output
    hashes = set(db.session.scalars(sa.select(UserSession.key_hash)))
    assert sessions.hash_key(recent) in hashes
    assert sessions.hash_key(old) not in hashes
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(LoginAttempt).where(LoginAttempt.email == "donor2@example.org")
        )
        == 0
    )
