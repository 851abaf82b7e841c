"""Each role's inbox lists exactly the items that need that person (tests/home/world.py), in a bounded number of
queries, and each item links to the page where the action is done."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from fundapp.auth import invitations
from fundapp.auth import services as auth_services
from fundapp.committee import services as committee
from fundapp.concept_notes import services as note_services
from fundapp.contributions import services as contributions
from fundapp.core import clock
from fundapp.core.audit import record_change
from fundapp.home import inbox
from fundapp.programmes import services as programme_services
from tests.committee.decision_helpers import note_under_review
from tests.concept_notes.helpers import make_note, org
from tests.concept_notes.helpers import user as demo_user
from tests.contributions import factories
from tests.home.world import ON, build


@pytest.fixture
def world(db):
    return build()


def _inbox(app, user, page):
    with app.test_request_context(), clock.frozen(ON):
        return {s.key: s for s in inbox.inbox(user, page, ON).sections}


def _titles(section) -> list[str]:
    return [item.title for item in section.items]


def test_secretariat_inbox(app, user, world):
    sections = _inbox(app, user("secretariat@example.org"), "secretariat")
    assert list(sections) == [
        "screening",
        "reports_to_approve",
        "tranches_ready",
        "tranches_blocked",
        "instalments_overdue",
        "reports_overdue",
        "meetings",
        "documents",
        "periods",
    ]
    # Months close in order: the oldest month still open comes first, the ones after it are overdue.
    periods = sections["periods"]
    assert periods.items[0].title.startswith("Close ")
    assert periods.items[0].url.startswith("/contributions/periods/")
    assert periods.total >= 1
    assert periods.overdue == periods.total - 1
    # The longest waiting first; drafts, returned and eligible notes are not to screen.
    assert _titles(sections["screening"]) == [
        f"{world.undp_submitted.reference} Older UNDP note",
        f"{world.unicef_submitted.reference} Newer UNICEF note",
    ]
    assert sections["screening"].items[0].url == f"/concept-notes/{world.undp_submitted.id}/screen"
    assert _titles(sections["reports_to_approve"]) == [f"{world.jp2.reference} progress report 2026-H1"]
    assert sections["reports_to_approve"].items[0].url == f"/programmes/reports/{world.jp2_report.id}"
    ready, blocked = sections["tranches_ready"], sections["tranches_blocked"]
    assert _titles(ready) == [f"{world.jp1.reference}: US$ 1,000.00 to UNICEF"]
    assert ready.items[0].url == f"/programmes/tranches/{world.tranche_ready.id}/release"
    assert ready.items[0].overdue
    assert ready.overdue == 1
    assert _titles(blocked) == [f"{world.jp1.reference}: US$ 2,000.00 to ILO"]
    assert "January–June 2026" in blocked.items[0].detail  # why it is blocked
    assert not blocked.items[0].overdue
    assert _titles(sections["instalments_overdue"]) == ["TEST-DEU-SCHEDULE: EUR 200,000.00"]
    assert sections["instalments_overdue"].items[0].due_on.isoformat() == "2026-06-30"
    assert _titles(sections["reports_overdue"]) == [f"{world.jp1.reference} January–June 2026 (semi-annual)"]
    assert _titles(sections["meetings"]) == ["September meeting"]
    assert "1 item on the agenda: " in sections["meetings"].items[0].detail
    assert "Note under review" in sections["meetings"].items[0].detail  # the item's title
    assert _titles(sections["documents"]) == [f"{world.endorsed.reference} Endorsed note"]
    assert sections["documents"].items[0].url == f"/committee/notes/{world.endorsed.id}/programme"


def test_chair_inbox(app, user, world):
    sections = _inbox(app, user("chair@example.org"), "committee")
    assert list(sections) == ["closing", "scoring", "meetings", "tranches_blocked"]
    closing = sections["closing"]
    assert _titles(closing) == [f"{world.under_review.reference} Note under review"]
    assert closing.items[0].detail.startswith("1 of ")  # member5 scored; the scores were due yesterday
    assert _titles(sections["scoring"]) == [f"{world.under_review.reference} Note under review"]
    assert sections["scoring"].items[0].overdue  # the review's closing date has passed
    assert sections["scoring"].items[0].due_on == ON - timedelta(days=1)
    assert _titles(sections["meetings"]) == ["September meeting"]
    # Only the chair may release a blocked tranche: the link is the release page.
    assert sections["tranches_blocked"].items[0].url == f"/programmes/tranches/{world.tranche_blocked.id}/release"


def test_member_inbox_leaves_out_what_was_scored_and_what_the_member_is_recused_from(app, user, world):
    member1 = _inbox(app, user("member1@example.org"), "committee")  # UNDP: neither lead nor partner
    assert list(member1) == ["scoring", "meetings"]
    assert _titles(member1["scoring"]) == [f"{world.under_review.reference} Note under review"]
    assert member1["scoring"].items[0].url == f"/committee/notes/{world.under_review.id}#score"
    assert "recused" not in member1["meetings"].items[0].detail
    member3 = _inbox(app, user("member3@example.org"), "committee")  # ILO: a partner of the note
    assert member3["scoring"].items == []
    assert "you are recused from 1" in member3["meetings"].items[0].detail
    member5 = _inbox(app, user("member5@example.org"), "committee")  # scored it already
    assert member5["scoring"].total == 0


def test_applicant_inboxes_are_their_organisations(app, user, world):
    undp = _inbox(app, user("applicant@example.org"), "applicant")
    assert list(undp) == ["returned", "clarifications", "reports_due", "drafts"]
    assert _titles(undp["returned"]) == [f"{world.undp_returned.reference} Returned UNDP note"]
    assert "Please add the ministry's letter." in undp["returned"].items[0].detail
    assert undp["returned"].items[0].url == f"/concept-notes/{world.undp_returned.id}/edit"
    assert undp["reports_due"].items == []  # JP2's report is submitted
    # The draft whose call closes soonest first, the rolling call's last.
    assert _titles(undp["drafts"]) == [
        f"{world.undp_draft_soon.reference} UNDP draft, call closing",
        f"{world.undp_draft_rolling.reference} UNDP draft, rolling call",
    ]
    assert undp["drafts"].items[0].due_on == world.call_soon.closes_on
    unicef = _inbox(app, user("applicant2@example.org"), "applicant")
    assert _titles(unicef["drafts"]) == [f"{world.unicef_draft.reference} UNICEF draft"]
    assert unicef["returned"].items == []
    assert _titles(unicef["reports_due"]) == [f"{world.jp1.reference} January–June 2026 (semi-annual)"]
    assert unicef["reports_due"].items[0].overdue
    assert unicef["reports_due"].items[0].url == f"/programmes/{world.jp1.id}/reports/new"
    ilo = _inbox(app, user("applicant4@example.org"), "applicant")  # a partner of all three programmes
    assert _titles(ilo["reports_due"]) == [f"{world.jp1.reference} January–June 2026 (semi-annual)"]
    iom = _inbox(app, user("applicant3@example.org"), "applicant")
    assert iom["clarifications"].items == []
    assert iom["reports_due"].items == []
    assert iom["drafts"].items == []
    assert iom["returned"].items == []


def test_applicants_answer_the_clarification_questions_of_their_notes_and_programmes(app, user, world):
    """Open questions in the threads of the notes and programmes the organization leads or takes part in, the
    oldest first; an answered question, a plain message and other organizations' threads are not there."""
    undp = _inbox(app, user("applicant@example.org"), "applicant")["clarifications"]
    assert _titles(undp) == [f"{world.undp_submitted.reference} Older UNDP note"]
    question = undp.items[0]
    assert question.url == f"/concept-notes/{world.undp_submitted.id}/discussion#message-{world.undp_question.id}"
    assert question.detail.endswith("asks: Which ministry signs the letter?")
    assert question.since == ON - timedelta(days=6)
    assert question.action == "Answer"
    # UNICEF answered its note's question; JP1's is open for UNICEF (lead) and ILO (a partner) alike.
    jp1 = [f"{world.jp1.reference} {world.jp1.title}"]
    unicef = _inbox(app, user("applicant2@example.org"), "applicant")["clarifications"]
    assert (_titles(unicef), unicef.total) == (jp1, 1)
    assert unicef.items[0].url == f"/programmes/{world.jp1.id}/discussion#message-{world.jp1_question.id}"
    # ILO is a partner of the UNDP note and of JP1: both questions, the older first.
    ilo = _inbox(app, user("applicant4@example.org"), "applicant")["clarifications"]
    assert _titles(ilo) == [f"{world.undp_submitted.reference} Older UNDP note", *jp1]
    # Once a focal point of the partner answers, the question leaves both organizations' inboxes.
    programme_services.post_message(
        user("applicant4@example.org"), world.jp1, "In October.", answers_id=world.jp1_question.id
    )
    assert _inbox(app, user("applicant2@example.org"), "applicant")["clarifications"].total == 0
    assert _titles(_inbox(app, user("applicant4@example.org"), "applicant")["clarifications"]) == [
        f"{world.undp_submitted.reference} Older UNDP note"
    ]


def test_the_oldest_question_comes_first_across_notes_and_programmes(app, user, world):
    """ILO takes part in the UNDP note, JP1 and the note under review: newer questions on the last come after the
    others; the section's page lists beyond the inbox's limit, and the count is all of them."""
    with clock.frozen(ON):
        for n in range(inbox.LIMIT):
            note_services.post_message(
                user("secretariat@example.org"), world.under_review, f"Question {n}?", is_question=True
            )
    with app.test_request_context(), clock.frozen(ON):
        short = inbox.section("clarifications", user("applicant4@example.org"), ON)
        whole = inbox.section("clarifications", user("applicant4@example.org"), ON, inbox.FULL)
    assert short.total == whole.total == inbox.LIMIT + 2
    assert len(short.items) == inbox.LIMIT
    assert [i.title.split()[0] for i in short.items[:3]] == [
        world.undp_submitted.reference,
        world.jp1.reference,
        world.under_review.reference,
    ]
    assert len(whole.items) == inbox.LIMIT + 2
    assert whole.items[-1].detail.endswith(f"Question {inbox.LIMIT - 1}?")


def test_donor_inboxes_are_their_own(app, user, world):
    germany = _inbox(app, user("donor@example.org"), "donor")
    assert list(germany) == ["instalments_due", "new_reports", "statements"]
    instalments = germany["instalments_due"]
    assert _titles(instalments) == ["TEST-DEU-SCHEDULE: EUR 200,000.00", "TEST-DEU-SCHEDULE: EUR 300,000.00"]
    assert [i.overdue for i in instalments.items] == [True, False]
    assert instalments.items[0].url == f"/contributions/agreements/{world.deu.id}"
    assert _titles(germany["new_reports"]) == [f"{world.jp3.reference} progress report 2026-H1"]
    assert [i.title for i in germany["statements"].items] == [
        "Contribution report 2025",
        "Annual financial report 2025",
        "Contribution report 2026 to date",
    ]
    with app.test_request_context(), clock.frozen(ON):
        whole = inbox.inbox(user("donor@example.org"), "donor", ON)
    assert whole.total == 3  # the statements are there to read, not work to do
    netherlands = _inbox(app, user("donor2@example.org"), "donor")
    assert netherlands["instalments_due"].items == []  # paid in full
    norway = _inbox(app, user("donor3@example.org"), "donor")  # not a contributor in this world
    assert norway["instalments_due"].items == []
    assert norway["statements"].items == []


def test_admin_inbox_lists_unused_accounts_and_anomalies(app, user, db):

    later = clock.today() + timedelta(days=30)
    admin = user("admin@example.org")
    active = user("member7@example.org")
    active.last_login_at = clock.now()
    auth_services.set_user_active(admin, user("member8@example.org"), False)
    with clock.frozen(later):
        record_change(None, "auth.login_throttled", "users", None, {"email": "x@example.org"})
        record_change(None, "auth.login_failed", "users", None, {"email": "x@example.org"})
        record_change(None, "auth.login_failed", "users", None, {"email": "y@example.org"})
        record_change(admin, "programmes.tranche_released", "programme_tranches", 1, {"override": False})
    db.session.flush()
    with app.test_request_context(), clock.frozen(later):
        sections = {s.key: s for s in inbox.inbox(admin, "admin", later).sections}
        whole = inbox.section("accounts", admin, later, inbox.FULL)
    assert list(sections) == ["accounts", "invitations", "anomalies"]
    assert len(sections["accounts"].items) == inbox.LIMIT
    assert sections["accounts"].total == whole.total
    unused = {item.title.split("(")[-1].rstrip(")") for item in whole.items}
    assert len(unused) == whole.total
    assert "applicant@example.org" in unused  # never signed in, created over 14 days ago
    assert "member7@example.org" not in unused  # signed in recently
    assert "member8@example.org" not in unused  # deactivated
    assert whole.items[0].url.startswith("/admin/users/")
    assert [i.title for i in sections["anomalies"].items] == ["2 × failed sign-ins", "1 × sign-ins throttled"]
    assert "action=auth.login_failed" in sections["anomalies"].items[0].url


PAGES = {
    "secretariat@example.org": "/secretariat",
    "chair@example.org": "/committee",
    "member1@example.org": "/committee",
    "applicant@example.org": "/applicant",
    "applicant2@example.org": "/applicant",
    "donor@example.org": "/donor",
    "admin@example.org": "/admin",
}


def _count(client, login, queries) -> dict[str, int]:
    counts = {}
    for email, path in PAGES.items():
        login(email)
        with clock.frozen(ON), queries() as q:
            response = client.get(path)
        assert response.status_code == 200, email
        counts[email] = len(q)
    return counts


def _more_of_everything(world) -> None:
    """As much again in every inbox: notes to screen, drafts, a review, a meeting, tranches, an instalment."""

    for org_code, email in (("UNDP", "applicant@example.org"), ("UNICEF", "applicant2@example.org")):
        make_note(org_code, email, submit=True, attach=True)
        make_note(org_code, email)
    note_under_review(title="Another note under review")
    for note in (world.undp_submitted, world.unicef_submitted):
        note_services.post_message(demo_user("secretariat@example.org"), note, "One more question?", is_question=True)
    programme_services.post_message(
        demo_user("secretariat@example.org"), world.jp2, "And this programme?", is_question=True
    )
    committee.create_meeting(demo_user("secretariat@example.org"), "October meeting", date(2026, 10, 8), "Geneva")
    for code, planned in (("UNICEF", ON), ("ILO", ON + timedelta(days=3))):
        programme_services.plan_tranche(
            demo_user("secretariat@example.org"), world.jp1, org(code).id, planned, "500.00"
        )
    contributions.create_agreement(
        None,
        factories.donor("DEU"),
        "TEST-DEU-SECOND",
        date(2026, 2, 1),
        Decimal("100000.00"),
        "EUR",
        schedule=[(date(2026, 7, 1), Decimal("100000.00"))],
    )


def test_inbox_pages_run_the_same_number_of_queries_whatever_the_data(client, login, queries, world):
    before = _count(client, login, queries)
    assert max(before.values()) <= 40, before
    _more_of_everything(world)
    after = _count(client, login, queries)
    # The administrator's latest audit events name their objects with one query per object type among them.
    assert after.pop("admin@example.org") <= before.pop("admin@example.org") + 10
    assert after == before


def test_an_inbox_section_shows_whole_on_its_page(client, login, world):
    login("secretariat@example.org")
    with clock.frozen(ON):
        page = client.get("/inbox/screening").get_data(as_text=True)
    assert "Older UNDP note" in page
    assert "Newer UNICEF note" in page
    assert 'href="/concept-notes/' in page
    login("applicant@example.org")
    assert client.get("/inbox/screening").status_code == 404


def test_admin_inbox_lists_the_invitations_not_accepted(app, user, db):
    unicef = org("UNICEF")
    admin = user("admin@example.org")
    pending = invitations.invite(admin, "new.person@example.org", "New Person", unicef, ["applicant"]).invitation
    expired = invitations.invite(admin, "late.person@example.org", "Late Person", unicef, ["applicant"]).invitation
    expired.expires_at = clock.now() - timedelta(hours=1)
    expired.sent_at = pending.sent_at - timedelta(days=5)
    revoked = invitations.invite(admin, "gone.person@example.org", "Gone Person", unicef, ["donor"]).invitation
    invitations.revoke(admin, revoked)
    db.session.flush()
    with app.test_request_context():
        section = inbox.section("invitations", admin, clock.today())
    assert [i.title for i in section.items] == [
        "Late Person (late.person@example.org)",  # sent first
        "New Person (new.person@example.org)",
    ]
    assert [i.flag_label for i in section.items] == ["Expired", ""]
    assert section.overdue == 1
    assert section.items[0].url == "/admin/invitations"
