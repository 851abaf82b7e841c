from datetime import timedelta

import pytest
import sqlalchemy as sa

from fundapp.auth import services
from fundapp.auth.models import LoginAttempt, Organisation, OrganisationType, User, UserRole
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
    result = services.authenticate(" Applicant@Example.org ", "fundapp-demo", "127.0.0.1")
    assert result.ok
    assert result.user.last_login_at is not None
    assert _last_audit(db).action == "auth.login"


@pytest.mark.parametrize(("email", "password"), [("applicant@example.org", "wrong-one"), ("nobody@example.org", "x")])
def test_authenticate_gives_one_message_for_unknown_and_wrong(db, email, password):
    result = services.authenticate(email, password)
    assert not result.ok
    assert result.message == "Email or password is not correct."
    assert _last_audit(db).action == "auth.login_failed"


def test_sign_in_is_throttled_after_five_failures_in_the_window(db):
    for _ in range(5):
        assert not services.authenticate("applicant2@example.org", "bad-password").ok
    result = services.authenticate("applicant2@example.org", "fundapp-demo")  # even the right password
    assert not result.ok
    assert "Too many failed sign-in attempts" in result.message
    assert _last_audit(db).action == "auth.login_throttled"
    # Another account is not affected.
    assert services.authenticate("applicant3@example.org", "fundapp-demo").ok


def test_throttle_ends_when_failures_leave_the_window(db):
    old = clock.now() - timedelta(minutes=16)
    db.session.add_all([LoginAttempt(email="donor3@example.org", succeeded=False, attempted_at=old) for _ in range(5)])
    db.session.flush()
    assert services.authenticate("donor3@example.org", "fundapp-demo").ok


def test_a_success_resets_the_failure_count(db):
    for _ in range(4):
        services.authenticate("donor4@example.org", "bad-password")
    assert services.authenticate("donor4@example.org", "fundapp-demo").ok
    for _ in range(4):
        services.authenticate("donor4@example.org", "bad-password")
    assert services.authenticate("donor4@example.org", "fundapp-demo").ok


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
    ],
)
def test_create_user_refuses_bad_input(db, user, roles, password, field):
    with pytest.raises(DomainError) as error:
        services.create_user(user("admin@example.org"), "x@example.org", "X", _org(db, "UNHCR"), roles, password)
    assert error.value.field == field


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


def test_change_password_checks_current_and_ends_other_sessions(db, user):
    account = user("member3@example.org")
    old_id = account.get_id()
    with pytest.raises(DomainError):
        services.change_password(account, "wrong", "another-good-password")
    with pytest.raises(services.WeakPassword):
        services.change_password(account, "fundapp-demo", "short")
    services.change_password(account, "fundapp-demo", "another-good-password")
    assert services.verify_password(account, "another-good-password")
    assert services.load_user_from_session(old_id) is None
    assert services.load_user_from_session(account.get_id()) == account


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
