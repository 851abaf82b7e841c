"""Accounts to review (the administrator's inbox), organisations in the search box, names in the audit log."""

from datetime import timedelta

import sqlalchemy as sa

from fundapp.auth import invitations, services
from fundapp.auth.models import User
from fundapp.core import clock


def test_accounts_to_review_are_unused_active_accounts(db, user):
    now = clock.now()
    later = (now + timedelta(days=services.NEVER_USED_DAYS + 1)).date()
    assert services.accounts_to_review(now.date(), 100) == (0, [])  # accounts created today are new, not unused
    total, work = services.accounts_to_review(later, 100)
    active = db.session.scalar(sa.select(sa.func.count()).select_from(User).where(User.is_active))
    assert total == active
    assert {w.reason for w in work} == {"never_used"}
    user("member2@example.org").last_login_at = now
    services.set_user_active(None, user("member3@example.org"), False)
    emails = {w.user.email for w in services.accounts_to_review(later, 100)[1]}
    assert "member2@example.org" not in emails
    assert "member3@example.org" not in emails
    dormant_day = (now + timedelta(days=services.DORMANT_DAYS + 1)).date()
    dormant = {w.user.email: w.reason for w in services.accounts_to_review(dormant_day, 100)[1]}
    assert dormant["member2@example.org"] == "dormant"
    total, first = services.accounts_to_review(later, 3)
    assert len(first) == 3
    assert total == active - 2


def test_search_organisations_everyone_for_the_administrator_un_entities_for_others(db, user):
    def found(email, query):
        select = services.search_organisations(user(email), query)
        return {row.title for row in db.session.execute(select)}

    assert any("germany" in t for t in found("admin@example.org", "germany"))
    assert found("secretariat@example.org", "germany") == set()
    assert any("unicef" in t or "children" in t for t in found("applicant@example.org", "unicef"))
    assert services.search_organisations(user("admin@example.org"), "") is None


def test_describe_objects_names_users_and_organisations(db, user):
    member = user("member1@example.org")
    assert services.describe_objects("users", [str(member.id)]) == {
        str(member.id): "Lucas Ferreira (member1@example.org)"
    }
    org = member.organisation
    assert services.describe_objects("organisations", [str(org.id)]) == {str(org.id): f"{org.code} {org.name}"}
    assert services.describe_objects("calls", ["1"]) is None


def test_describe_objects_names_invitations_and_the_list_of_those_waiting(db, user):
    invited = invitations.invite(
        user("admin@example.org"),
        "someone@example.org",
        "Some One",
        user("member1@example.org").organisation,
        ["donor"],
    ).invitation
    assert services.describe_objects("invitations", [str(invited.id)]) == {
        str(invited.id): "Some One (someone@example.org)"
    }
    assert invitations.invitations_waiting(10) == (1, [invited])
    invitations.revoke(user("admin@example.org"), invited)
    assert invitations.invitations_waiting(10) == (0, [])
