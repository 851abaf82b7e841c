"""The role inboxes: what needs this person's action, oldest or most urgent first, each item linking to the page
where the action is done.

Every section is one domain's public query service (computed in SQL, a bounded number of queries whatever the
data) turned into items here: a title, a link, since when it waits, by when it is due, and why. A role's inbox
is a list of section keys (`ROLE_SECTIONS`); `section(key, user, on, limit)` builds one, so the inbox page shows
the first few items of each and `/inbox/<key>` shows one section whole.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from flask import has_request_context, request, url_for

from fundapp.auth import invitations
from fundapp.auth import services as auth_services
from fundapp.auth.models import User
from fundapp.committee import services as committee
from fundapp.concept_notes import services as notes
from fundapp.concept_notes.workflow import SUBMITTED
from fundapp.contributions import periods
from fundapp.contributions import services as contributions
from fundapp.contributions.charts import RIGHT_TO_LEFT_LETTERS
from fundapp.contributions.ledger import next_month
from fundapp.core.i18n import _, _l, _n, text_direction
from fundapp.core.money import format_money
from fundapp.core.permissions import ROLE_LABELS, Role
from fundapp.home import anomalies
from fundapp.notifications.discussions import excerpt
from fundapp.programmes import reporting
from fundapp.programmes import services as programmes
from fundapp.programmes.texts import amount, month_label
from fundapp.programmes.workflow import REPORT_LABELS


def own_direction(title: str) -> str:
    """A title as people wrote it, set apart before the translated words that follow it in an item's detail: on
    an Arabic page a title in Latin letters is kept left to right, not broken up by the Arabic around it."""
    if text_direction() != "rtl" or RIGHT_TO_LEFT_LETTERS.search(title):
        return title
    return f"\u2066{title}\u2069"


#: Items a section shows on the inbox page (the section's own page shows them all).
LIMIT = 8
#: A whole section on its own page.
FULL = 500
#: How far ahead the inboxes look for what falls due.
REPORTS_AHEAD_DAYS = 60
TRANCHES_AHEAD_DAYS = 30
INSTALMENTS_AHEAD_DAYS = 90
#: Donors: progress reports approved within this many days are "new".
NEW_REPORTS_DAYS = 90


@dataclass(frozen=True)
class Item:
    title: str
    url: str
    #: What it is and why it waits, in a line.
    detail: str = ""
    #: Waiting since (submitted, returned, endorsed …), and what happened then.
    since: date | None = None
    since_label: str = _l("Since")
    #: Due by (the review's closing date, a report's deadline, a meeting's day, an instalment's date …).
    due_on: date | None = None
    #: A badge: its status class and label ("overdue", "Overdue").
    flag: str = ""
    flag_label: str = ""
    #: What the link does ("Screen", "Review", "Release" …).
    action: str = _l("Open")

    @property
    def overdue(self) -> bool:
        return self.flag == "overdue"


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    items: list[Item]
    total: int
    #: What the section says when nothing waits.
    empty: str
    #: A list page where the rest lives (filtered as the section), if the domain has one.
    more_url: str | None = None
    intro: str = ""
    #: How many of all `total` items are overdue (the builder counts them over the whole list).
    overdue: int = 0
    #: Items to act on (False: what is there to read, such as the statements available, not counted as work).
    actionable: bool = True

    @property
    def hidden(self) -> int:
        return self.total - len(self.items)


@dataclass
class Inbox:
    sections: list[Section] = field(default_factory=list)

    @property
    def total(self) -> int:
        """How many items need the person's action (sections of things to read left out)."""
        return sum(s.total for s in self.sections if s.actionable)


def _money(currency: str, value: Decimal) -> str:
    return format_money(value, currency)


def _days(on: date, since: date | None) -> str:
    if since is None:
        return ""
    days = (on - since).days
    return _("today") if days <= 0 else _n("%(num)d day ago", "%(num)d days ago", days)


# Concept notes ----------------------------------------------------------------------------------------


def _notes_to_screen(user: User, on: date, limit: int) -> Section:
    total, work = notes.notes_to_screen(limit)
    submitted, screen = _("Submitted"), _("Screen")  # once for the section, not once an item
    items = [
        Item(
            f"{w.note.reference} {w.note.title or _('(untitled)')}",
            url_for("concept_notes.screen", note_id=w.note.id),
            f"{w.note.organisation.code} · {w.note.call.title}",
            since=w.since,
            since_label=submitted,
            action=screen,
        )
        for w in work
    ]
    more = url_for("concept_notes.index", status=SUBMITTED, sort="submitted", dir="asc")
    return Section("screening", _("Concept notes to screen"), items, total, _("No note waits for screening."), more)


def _drafts(user: User, on: date, limit: int) -> Section:
    total, work = notes.drafts_to_finish(user.organisation_id, limit)
    items = []
    for w in work:
        closed = w.due_on is not None and w.due_on < on
        detail = f"{own_direction(w.note.call.title)} · " + (
            _("rolling call")
            if w.due_on is None
            else (_("call closed") if closed else _("submit before the call closes"))
        )
        items.append(
            Item(
                f"{w.note.reference} {w.note.title or _('(untitled)')}",
                url_for("concept_notes.edit", note_id=w.note.id),
                detail,
                since=w.since,
                since_label=_("Started"),
                due_on=None if closed else w.due_on,
                flag="blocked" if closed else "draft",
                flag_label=_("Call closed") if closed else _("Draft"),
                action=_("Edit"),
            )
        )
    more = url_for("concept_notes.mine", status="draft")
    return Section("drafts", _("Drafts to finish and submit"), items, total, _("No draft in progress."), more)


def _returned_notes(user: User, on: date, limit: int) -> Section:
    total, work = notes.returned_notes(user.organisation_id, limit)
    items = [
        Item(
            f"{w.note.reference} {w.note.title or _('(untitled)')}",
            url_for("concept_notes.edit", note_id=w.note.id),
            _("The Fund Management Unit asks: %(comment)s", comment=w.comment)
            if w.comment
            else _("Returned for revision."),
            since=w.since,
            since_label=_("Returned"),
            flag="returned",
            flag_label=_("Returned"),
            action=_("Revise"),
        )
        for w in work
    ]
    more = url_for("concept_notes.mine", status="returned")
    return Section(
        "returned", _("Notes returned for revision"), items, total, _("No note is waiting for revision."), more
    )


# Committee --------------------------------------------------------------------------------------------


def _reviews_to_score(user: User, on: date, limit: int) -> Section:
    total, work = committee.reviews_to_score(user, FULL)
    late = [w for w in work if w.review.closes_on and w.review.closes_on < on]
    items = [
        Item(
            f"{w.note.reference} {w.note.title}",
            url_for("committee.review", note_id=w.note.id) + "#score",
            f"{w.note.organisation.code} · US$ {amount(w.note.budget_total)}",
            since=w.review.opened_at.date(),
            since_label=_("Opened"),
            due_on=w.review.closes_on,
            flag="overdue" if w in late else "",
            flag_label=_("Scores late") if w in late else "",
            action=_("Score"),
        )
        for w in work[:limit]
    ]
    more = url_for("committee.queue")
    return Section(
        "scoring", _("Reviews to score"), items, total, _("Nothing to score right now."), more, overdue=len(late)
    )


def _reviews_to_close(user: User, on: date, limit: int) -> Section:
    total, work = committee.reviews_to_close(on, limit)
    items = [
        Item(
            f"{w.note.reference} {w.note.title}",
            url_for("committee.review", note_id=w.note.id),
            _("%(scored)s of %(scorers)s members scored", scored=w.scored, scorers=w.scorers),
            since=w.review.opened_at.date(),
            since_label=_("Opened"),
            due_on=w.review.closes_on,
            action=_("Close review"),
        )
        for w in work
    ]
    intro = _("Open reviews whose scores are due, or that every member who may score has scored.")
    return Section(
        "closing",
        _("Reviews to close"),
        items,
        total,
        _("No review is ready to close."),
        url_for("committee.reviews_index"),
        intro,
    )


def _meeting_item(user: User, on: date, w: committee.MeetingWork) -> Item:
    meeting = w.meeting
    if w.agenda:
        shown = "; ".join(w.agenda[:3])
        if len(w.agenda) > 3:
            shown = _("%(items)s and %(count)s more", items=shown, count=len(w.agenda) - 3)
        parts = [
            _n(
                "%(num)d item on the agenda: %(items)s",
                "%(num)d items on the agenda: %(items)s",
                w.pending_items,
                items=shown,
            )
        ]
    else:
        parts = [_("No agenda yet")]
    if w.recused_items:
        parts.append(_("you are recused from %(count)s", count=w.recused_items))
    if w.present is not None:
        parts.append(_("you are recorded present") if w.present else _("you are recorded absent"))
    elif meeting.is_in_session:
        parts.append(_("attendance not taken yet"))
    late = meeting.is_planned and meeting.held_on < on
    return Item(
        meeting.title,
        url_for("committee.meeting", meeting_id=meeting.id),
        " · ".join(parts),
        due_on=meeting.held_on,
        flag="overdue" if late else ("submitted" if meeting.is_in_session else ""),
        flag_label=_("Date passed") if late else (_("In session") if meeting.is_in_session else ""),
        action=_("Prepare") if user.has_role(Role.secretariat) and meeting.is_planned else _("Open"),
    )


def _meetings(user: User, on: date, limit: int) -> Section:
    total, work = committee.meetings_ahead(user, FULL)
    items = [_meeting_item(user, on, w) for w in work]
    more = url_for("committee.meetings_index")
    title = _("Meetings to prepare") if user.has_role(Role.secretariat) else _("Meetings ahead")
    late = len([i for i in items if i.overdue])
    return Section("meetings", title, items[:limit], total, _("No meeting is planned."), more, overdue=late)


def _documents(user: User, on: date, limit: int) -> Section:
    total, work = committee.documents_to_prepare(limit)
    saved = (
        _("Programme document saved: approve it to make the note ready for implementation"),
        _("Awaiting approval"),
        _("Approve"),
    )
    not_started = (_("Programme document not started"), _("Not started"), _("Prepare"))
    endorsed = _("Endorsed")
    items = []
    for w in work:
        detail, flag_label, action = saved if w.document is not None else not_started
        items.append(
            Item(
                f"{w.note.reference} {w.note.title}",
                url_for("committee.programme_document", note_id=w.note.id),
                detail,
                since=w.endorsed_on,
                since_label=endorsed,
                flag="submitted" if w.document is not None else "draft",
                flag_label=flag_label,
                action=action,
            )
        )
    return Section(
        "documents",
        _("Programme documents awaiting approval"),
        items,
        total,
        _("No endorsed note waits for its programme document."),
        url_for("committee.pipeline_page"),
    )


# Programmes -------------------------------------------------------------------------------------------


def _reports_to_approve(user: User, on: date, limit: int) -> Section:
    total, reports = reporting.reports_to_review(limit)
    submitted, review = _("Submitted"), _("Review")
    items = [
        Item(
            _("%(reference)s progress report %(period)s", reference=r.programme.reference, period=r.period),
            url_for("programmes.report", report_id=r.id),
            f"{own_direction(r.programme.title)} · {reporting.period_label(r.period)}",
            since=r.submitted_on,
            since_label=submitted,
            due_on=r.due_on,
            action=review,
        )
        for r in reports
    ]
    return Section(
        "reports_to_approve", _("Progress reports to approve"), items, total, _("No report waits for review.")
    )


def _report_items(due: list[reporting.ReportDue], focal_point: bool) -> list[Item]:
    items = []
    overdue, returned, not_started = _("Overdue"), _("Returned"), _("not started")
    start, carry_on, follow_up = _("Start"), _("Continue"), _("Follow up")
    for d in due:
        report = d.report
        if report is None:
            state = not_started
            url = url_for("programmes.new_report", programme_id=d.programme.id) if focal_point else None
        else:
            state = str(REPORT_LABELS[report.status]).lower()
            url = url_for("programmes.edit_report" if focal_point else "programmes.report", report_id=report.id)
        if report is not None and report.is_returned and report.review_comment:
            state += f": {report.review_comment}"
        items.append(
            Item(
                f"{d.programme.reference} {d.period.label}",
                url or url_for("programmes.programme", programme_id=d.programme.id) + "#reports",
                f"{own_direction(d.programme.title)} · {state}",
                due_on=d.period.due_on,
                flag="overdue" if d.overdue else ("returned" if report is not None and report.is_returned else ""),
                flag_label=overdue if d.overdue else (returned if report is not None and report.is_returned else ""),
                action=(start if report is None else carry_on) if focal_point else follow_up,
            )
        )
    return items


def _reports_overdue(user: User, on: date, limit: int) -> Section:
    due = reporting.reports_due_page(on, 0, limit, overdue_only=True)
    intro = _("Running programmes whose progress report is past its deadline: follow up with the focal points.")
    return Section(
        "reports_overdue",
        _("Progress reports overdue"),
        _report_items(due.items, focal_point=False),
        due.total,
        _("No progress report is overdue."),
        url_for("programmes.portfolio", status="active"),
        intro,
        overdue=due.overdue,
    )


def _reports_due(user: User, on: date, limit: int) -> Section:
    due = reporting.reports_due_page(on, REPORTS_AHEAD_DAYS, limit, organisation_id=user.organisation_id)
    intro = _(
        "Reports of your programmes overdue, returned for correction or due in the next %(days)s days.",
        days=REPORTS_AHEAD_DAYS,
    )
    return Section(
        "reports_due",
        _("Progress reports due"),
        _report_items(due.items, focal_point=True),
        due.total,
        _("No progress report is due."),
        url_for("programmes.portfolio"),
        intro,
        overdue=due.overdue,
    )


def _tranche_item(w: programmes.TrancheWork, url: str, action: str) -> Item:
    tranche = w.tranche
    detail = own_direction(tranche.programme.title)
    if w.blockers:
        detail += " · " + _("Blocked: %(reasons)s", reasons=" ".join(w.blockers))
    if w.overdue:
        flag, label = "overdue", _("Overdue")
    else:
        flag, label = ("blocked", _("Blocked")) if w.blocked else ("ready", _("Ready"))
    return Item(
        _(
            "%(reference)s: US$ %(amount)s to %(organization)s",
            reference=tranche.programme.reference,
            amount=amount(tranche.amount),
            organization=tranche.organisation.code,
        ),
        url,
        detail,
        due_on=tranche.planned_on,
        flag=flag,
        flag_label=label,
        action=action,
    )


def _tranches_due(on: date, limit: int) -> dict[bool, programmes.TranchesDue]:
    """The first tranches due within TRANCHES_AHEAD_DAYS, blocked and ready apart, worked out once per request:
    the ready and the blocked sections of one inbox both read them (one SQL pass decides both)."""
    if not has_request_context():
        return programmes.tranches_due_split(on, TRANCHES_AHEAD_DAYS, limit)
    # Kept in the request's environ, not in g: g lives as long as the app context, which may span requests.
    memo = request.environ.setdefault("fundapp.inbox_tranches_due", {})
    if (on, limit) not in memo:
        memo[on, limit] = programmes.tranches_due_split(on, TRANCHES_AHEAD_DAYS, limit)
    return memo[on, limit]


def _tranches_ready(user: User, on: date, limit: int) -> Section:
    work = _tranches_due(on, limit)[False]
    items = [
        _tranche_item(w, url_for("programmes.release_tranche", tranche_id=w.tranche.id), _("Release"))
        for w in work.items
    ]
    intro = _(
        "Planned tranches whose conditions are met, due now or in the next %(days)s days.", days=TRANCHES_AHEAD_DAYS
    )
    return Section(
        "tranches_ready",
        _("Tranches to release"),
        items,
        work.total,
        _("No tranche is due."),
        intro=intro,
        overdue=work.overdue,
    )


def _tranches_blocked(user: User, on: date, limit: int) -> Section:
    work = _tranches_due(on, limit)[True]
    chair = user.has_role(Role.committee_chair)

    def url(w: programmes.TrancheWork) -> str:
        if chair:
            return url_for("programmes.release_tranche", tranche_id=w.tranche.id)
        return url_for("programmes.programme", programme_id=w.tranche.programme_id) + "#tranches"

    items = [_tranche_item(w, url(w), _("Decide") if chair else _("Follow up")) for w in work.items]
    intro = (
        _("Only you may release a blocked tranche, with a recorded justification.")
        if chair
        else _("Tranches whose release conditions are not met (why, beside each): follow up, or ask the chair.")
    )
    return Section(
        "tranches_blocked",
        _("Tranches blocked"),
        items,
        work.total,
        _("No tranche is blocked."),
        intro=intro,
        overdue=work.overdue,
    )


def _new_reports(user: User, on: date, limit: int) -> Section:
    total, reports = reporting.approved_reports_since(on - timedelta(days=NEW_REPORTS_DAYS), limit)
    items = [
        Item(
            _("%(reference)s progress report %(period)s", reference=r.programme.reference, period=r.period),
            url_for("programmes.report", report_id=r.id),
            r.programme.title,
            since=r.approved_on,
            since_label=_("Approved"),
            flag="approved",
            flag_label=_("Approved"),
            action=_("Read"),
        )
        for r in reports
    ]
    return Section(
        "new_reports",
        _("New progress reports"),
        items,
        total,
        _("No progress report was approved in the last %(days)s days.", days=NEW_REPORTS_DAYS),
        url_for("programmes.portfolio"),
    )


# Contributions ----------------------------------------------------------------------------------------


def _instalment_items(owed: list[contributions.Instalment], with_donor: bool) -> list[Item]:
    overdue, action = _("Overdue"), _("Open agreement")
    return [
        Item(
            f"{i.agreement.reference}: {_money(i.agreement.currency, i.outstanding)}",
            url_for("contributions.agreement", agreement_id=i.agreement.id),
            (f"{i.agreement.donor.name} · " if with_donor else "")
            + _("of %(amount)s scheduled", amount=_money(i.agreement.currency, i.payment.amount)),
            due_on=i.payment.due_on,
            flag="overdue" if i.overdue else "",
            flag_label=overdue if i.overdue else "",
            action=action,
        )
        for i in owed
    ]


def _instalments_overdue(user: User, on: date, limit: int) -> Section:
    owed = contributions.instalments_owed_page(on, limit, overdue_only=True)
    return Section(
        "instalments_overdue",
        _("Instalments overdue"),
        _instalment_items(owed.items, with_donor=True),
        owed.total,
        _("Every scheduled payment due so far has been received."),
        url_for("contributions.donors"),
        _("Payments of the agreements' schedules not received by their date: follow up with the donor."),
        overdue=owed.overdue,
    )


def _instalments_due(user: User, on: date, limit: int) -> Section:
    donor = contributions.donor_for_user(user)
    owed = (
        contributions.instalments_owed_page(on, limit, INSTALMENTS_AHEAD_DAYS, donor_id=donor.id)
        if donor
        else contributions.InstalmentsOwed(0, 0, [])
    )
    return Section(
        "instalments_due",
        _("Instalments due"),
        _instalment_items(owed.items, with_donor=False),
        owed.total,
        _("No scheduled payment is outstanding or due in the next %(days)s days.", days=INSTALMENTS_AHEAD_DAYS),
        url_for("contributions.portal"),
        _("Payments your agreements schedule, overdue or due soon."),
        overdue=owed.overdue,
    )


def _statements(user: User, on: date, limit: int) -> Section:
    """The donor's statements: last year's contribution report and annual financial report, and this year's to
    date (each a page with its PDF, CSV and XLSX)."""
    donor = contributions.donor_for_user(user)
    if donor is None:
        return Section(
            "statements",
            _("Statements available"),
            [],
            0,
            _("Your organisation is not a contributor yet."),
            actionable=False,
        )
    last = on.year - 1
    items = [
        Item(
            _("Contribution report %(year)s", year=last),
            url_for("contributions.report", donor_id=donor.id, **{"from": f"{last}-01-01", "to": f"{last}-12-31"}),
            _("Your agreements, deposits and the use of your money in the year (PDF, CSV, XLSX)"),
            action=_("Open"),
        ),
        Item(
            _("Annual financial report %(year)s", year=last),
            url_for("transparency.annual", year=last),
            _("The administrative agent's report on the fund's sources and uses (PDF, XLSX)"),
            action=_("Open"),
        ),
        Item(
            _("Contribution report %(year)s to date", year=on.year),
            url_for("contributions.report", donor_id=donor.id, **{"from": f"{on.year}-01-01", "to": on.isoformat()}),
            _("Your contributions since 1 January"),
            action=_("Open"),
        ),
    ]
    return Section("statements", _("Statements available"), items[:limit], len(items), "", actionable=False)


# Administration ---------------------------------------------------------------------------------------


def _accounts(user: User, on: date, limit: int) -> Section:
    total, work = auth_services.accounts_to_review(on, limit)
    items = [
        Item(
            f"{w.user.name} ({w.user.email})",
            url_for("auth.edit_user", user_id=w.user.id),
            f"{w.user.organisation.code} · "
            + (
                _("never signed in since the account was created %(when)s", when=_days(on, w.since))
                if w.reason == "never_used"
                else _("last signed in %(when)s", when=_days(on, w.since))
            ),
            since=w.since,
            since_label=_("Created") if w.reason == "never_used" else _("Last sign-in"),
            flag="warning",
            flag_label=_("Never used") if w.reason == "never_used" else _("Dormant"),
            action=_("Review account"),
        )
        for w in work
    ]
    intro = _(
        "Active accounts never used %(never)s days after their creation, or unused for %(dormant)s days: "
        "follow up, or deactivate them.",
        never=auth_services.NEVER_USED_DAYS,
        dormant=auth_services.DORMANT_DAYS,
    )
    return Section(
        "accounts",
        _("Accounts to review"),
        items,
        total,
        _("Every active account is in use."),
        url_for("auth.admin_users", status="active"),
        intro,
    )


def _anomalies(user: User, on: date, limit: int) -> Section:
    found = anomalies.recent(on)
    items = [
        Item(
            f"{a.count} × {a.label}",
            url_for("home.audit_log", action=a.action, contains=a.contains, since=a.since.isoformat()),
            a.explanation,
            since=a.last_at.date(),
            since_label=_("Latest"),
            flag="warning",
            flag_label=_("Check"),
            action=_("See the events"),
        )
        for a in found[:limit]
    ]
    intro = _("Events of the last %(days)s days that deserve a second look.", days=anomalies.WINDOW_DAYS)
    return Section(
        "anomalies", _("Audit anomalies"), items, len(found), _("Nothing unusual in the audit log."), intro=intro
    )


# Sections that connect when other capabilities land --------------------------------------------------------


def _periods_to_close(user: User, on: date, limit: int) -> Section | None:
    """Months that have ended and are still open, oldest first (they close in order); none on a fund whose
    books have no start."""
    months, total = periods.months_to_close(on)
    detail = _("Reconcile the month's movements with the bank, then close it: postings dated in it are then refused.")
    overdue, action = _("Overdue"), _("Review and close")
    items = [
        Item(
            _("Close %(month)s", month=month_label(month)),
            url_for("contributions.period", month=month.strftime("%Y-%m")),
            detail,
            due_on=next_month(month),
            flag="overdue" if index else "",
            flag_label=overdue if index else "",
            action=action,
        )
        for index, month in enumerate(months[:limit])
    ]
    return Section(
        "periods",
        _("Periods to close"),
        items,
        total,
        _("Every month that has ended is closed."),
        url_for("contributions.periods_list"),
        _("Months close in order, once they have ended."),
        overdue=max(total - 1, 0),
    )


def _pending_invitations(user: User, on: date, limit: int) -> Section:
    total, waiting = invitations.invitations_waiting(limit)
    items = []
    for invitation in waiting:
        expired = invitation.status == "expired"
        roles = ", ".join(ROLE_LABELS[role] for role in invitation.roles)
        sent = _("sent %(count)s times", count=invitation.times_sent) if invitation.times_sent > 1 else _("sent once")
        items.append(
            Item(
                f"{invitation.name} ({invitation.email})",
                url_for("auth.invitation_list"),
                f"{invitation.organisation.code} · {roles} · {sent}",
                since=invitation.sent_at.date(),
                since_label=_("Sent"),
                due_on=invitation.expires_at.date(),
                flag="overdue" if expired else "",
                flag_label=_("Expired") if expired else "",
                action=_("Resend or revoke") if expired else _("Open"),
            )
        )
    return Section(
        "invitations",
        _("Invitations not accepted"),
        items,
        total,
        _("Every invitation sent has been accepted."),
        url_for("auth.invitation_list"),
        _("People invited who have not set their password yet; an expired link can be sent again."),
        overdue=len([i for i in items if i.overdue]),
    )


def _clarifications(user: User, on: date, limit: int) -> Section:
    """Clarification questions the Fund Management Unit asked in the discussions of the notes and programmes the
    person's organization leads or takes part in, not answered yet: the oldest first (two queries)."""
    note_total, note_questions = notes.questions_to_answer(user.organisation_id, limit)
    programme_total, programme_questions = programmes.questions_to_answer(user.organisation_id, limit)
    asked = [
        (
            q.message,
            f"{q.note.reference} {q.note.title or _('(untitled)')}",
            url_for("concept_notes.discussion", note_id=q.note.id),
        )
        for q in note_questions
    ] + [
        (
            q.message,
            f"{q.programme.reference} {q.programme.title}",
            url_for("programmes.discussion", programme_id=q.programme.id),
        )
        for q in programme_questions
    ]
    asked.sort(key=lambda a: a[0].created_at)
    items = [
        Item(
            title,
            f"{url}#message-{message.id}",
            _("%(author)s asks: %(question)s", author=message.author.name, question=excerpt(message.body)),
            since=message.created_at.date(),
            since_label=_("Asked"),
            flag="open-question",
            flag_label=_("Question"),
            action=_("Answer"),
        )
        for message, title, url in asked[:limit]
    ]
    return Section(
        "clarifications",
        _("Clarification questions to answer"),
        items,
        note_total + programme_total,
        _("No question of the Fund Management Unit waits for an answer."),
        intro=_(
            "Asked in the discussion of a concept note or programme your organization takes part in; any of its "
            "focal points may answer."
        ),
    )


# Roles ----------------------------------------------------------------------------------------------------

Builder = Callable[[User, date, int], Section | None]

SECTIONS: dict[str, Builder] = {
    "screening": _notes_to_screen,
    "reports_to_approve": _reports_to_approve,
    "tranches_ready": _tranches_ready,
    "tranches_blocked": _tranches_blocked,
    "instalments_overdue": _instalments_overdue,
    "reports_overdue": _reports_overdue,
    "meetings": _meetings,
    "documents": _documents,
    "periods": _periods_to_close,
    "scoring": _reviews_to_score,
    "closing": _reviews_to_close,
    "drafts": _drafts,
    "returned": _returned_notes,
    "clarifications": _clarifications,
    "reports_due": _reports_due,
    "instalments_due": _instalments_due,
    "new_reports": _new_reports,
    "statements": _statements,
    "accounts": _accounts,
    "invitations": _pending_invitations,
    "anomalies": _anomalies,
}

#: Each role's inbox, in the order of its page.
ROLE_SECTIONS: dict[str, tuple[str, ...]] = {
    "secretariat": (
        "screening",
        "reports_to_approve",
        "tranches_ready",
        "tranches_blocked",
        "instalments_overdue",
        "reports_overdue",
        "meetings",
        "documents",
        "periods",
    ),
    "committee_chair": ("closing", "scoring", "meetings", "tranches_blocked"),
    "committee_member": ("scoring", "meetings"),
    "applicant": ("returned", "clarifications", "reports_due", "drafts"),
    "donor": ("instalments_due", "new_reports", "statements"),
    "admin": ("accounts", "invitations", "anomalies"),
}


def role_of(user: User, page: str) -> str:
    """Which inbox a home page shows: the committee page is the chair's or a member's."""
    if page == "committee":
        return "committee_chair" if user.has_role(Role.committee_chair) else "committee_member"
    return page


def section(key: str, user: User, on: date, limit: int = LIMIT) -> Section | None:
    return SECTIONS[key](user, on, limit)


def inbox(user: User, page: str, on: date) -> Inbox:
    """The user's inbox for one of the home pages (secretariat, committee, applicant, donor, admin)."""
    keys = ROLE_SECTIONS[role_of(user, page)]
    return Inbox([s for s in (section(key, user, on) for key in keys) if s is not None])


def sections_for(user: User) -> set[str]:
    """Every section key the user's roles see (who may open a section's own page)."""
    keys: set[str] = set()
    for role in user.roles:
        if role in (Role.committee_member, Role.committee_chair):
            keys |= set(ROLE_SECTIONS[role_of(user, "committee")])
        elif role in ROLE_SECTIONS:
            keys |= set(ROLE_SECTIONS[role])
    return keys
