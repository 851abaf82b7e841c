"""PDF layouts of the programme dossier: the programme document, the committee's decisions, a progress report.
Layout only: they take loaded objects and plain data, and never query."""

from decimal import Decimal

from fundapp.committee.models import AgendaItem
from fundapp.core.i18n import _
from fundapp.core.pdf import build_pdf, data_table, para
from fundapp.programmes.models import JointProgramme, ProgressReport
from fundapp.programmes.reporting import period_label
from fundapp.programmes.services import Budget
from fundapp.programmes.texts import amount, long_date
from fundapp.programmes.workflow import REPORT_APPROVED, REPORT_LABELS


def programme_document_pdf(programme: JointProgramme, budget: Budget) -> bytes:
    document = programme.document
    note = document.concept_note
    facts = [
        (_("Reference"), note.reference),
        (_("Title"), programme.title),
        (_("Convening organization"), f"{note.organisation.name} ({note.organisation.code})"),
        (_("Thematic area"), str(note.thematic_area) if note.thematic_area else "–"),
        (_("Countries"), ", ".join(c.local_name for c in note.countries) or _("Global")),
        (
            _("Duration"),
            _("%(start)s to %(end)s", start=long_date(document.starts_on), end=long_date(document.ends_on)),
        ),
        (_("Approved"), long_date(document.approved_at) if document.approved_at else "–"),
        (_("National partners"), programme.national_partners or "–"),
    ]
    story = [
        data_table(["", ""], facts, col_widths=[130, 370]),
        para(_("Summary"), "h2"),
        para(document.summary),
        para(_("Budget by participating organization (US$)"), "h2"),
        data_table(
            [_("Organization"), _("Approved budget")],
            [
                *[[line.organisation.name, Decimal(line.amount)] for line in document.budget_lines],
                [_("Total"), Decimal(document.total)],
            ],
            col_widths=[350, 150],
            total_row=True,
        ),
    ]
    if budget.rows:
        story.append(para(_("Budget by UN category (US$)"), "h2"))
        story.append(
            data_table(
                [_("Organization"), _("Direct costs"), _("Indirect support costs"), _("Approved")],
                [
                    [row.organisation.name, Decimal(row.direct), Decimal(row.indirect), Decimal(row.approved)]
                    for row in budget.rows
                ],
                col_widths=[200, 100, 100, 100],
            )
        )
    return build_pdf(
        _("Joint programme document %(reference)s", reference=note.reference),
        story,
        subtitle=programme.title,
        footer=note.reference,
    )


def decisions_pdf(programme: JointProgramme, items: list[AgendaItem], full: bool) -> bytes:
    note = programme.document.concept_note
    story: list = [
        para(
            _(
                "The steering committee's decisions on this joint programme's concept note, with the extracts of "
                "the minutes."
            )
            if full
            else _("The steering committee's decisions on this joint programme's concept note.")
        )
    ]
    if not items:
        story.append(para(_("No decision recorded."), "small"))
    for item in items:
        meeting = item.meeting
        story.append(para(f"{meeting.title}, {long_date(meeting.held_on)}", "h2"))
        story.append(para(f"{item.title} ({item.kind.label})", "h3"))
        if item.amount is not None:
            decision = _(
                "Decision: %(outcome)s, US$ %(amount)s allocated.",
                outcome=item.outcome.label,
                amount=amount(Decimal(item.amount)),
            )
        else:
            decision = _("Decision: %(outcome)s.", outcome=item.outcome.label)
        story.append(para(decision))
        if full:
            if item.rule_text:
                story.append(para(item.rule_text + "."))
            if item.votes:
                story.append(
                    data_table(
                        [_("Seat"), _("Vote"), _("Rationale")],
                        [(v.seat.label, v.vote.value.capitalize(), v.rationale or "—") for v in item.votes],
                    )
                )
            if item.rationale:
                story.append(para(_("Rationale: %(text)s", text=item.rationale)))
        if item.shared_comment:
            story.append(para(_("Comment shared with the applicant: %(text)s", text=item.shared_comment)))
    return build_pdf(
        _("Decisions on %(reference)s", reference=note.reference),
        story,
        subtitle=_("Steering committee decisions and minutes extracts") if full else _("Steering committee decisions"),
        footer=note.reference,
    )


def report_pdf(programme: JointProgramme, report: ProgressReport, names: dict[int, str]) -> bytes:
    story = [
        para(
            _(
                "Status: %(status)s. Due %(date)s.",
                status=REPORT_LABELS.get(report.status, report.status),
                date=long_date(report.due_on),
            ),
            "small",
        ),
        para(_("Narrative"), "h2"),
        para(report.narrative or "–"),
        para(_("Challenges"), "h2"),
        para(report.challenges or "–"),
        para(_("Indicator values (cumulative to the end of the period)"), "h2"),
        data_table(
            [_("Indicator"), _("Actual")],
            [[names.get(v.indicator_id, str(v.indicator_id)), f"{v.actual.normalize():f}"] for v in report.values],
            col_widths=[400, 100],
            numeric_columns=(1,),
        ),
    ]
    if report.status == REPORT_APPROVED and report.approved_on:
        story.insert(0, para(_("Approved on %(date)s.", date=long_date(report.approved_on)), "small"))
    return build_pdf(
        _("Progress report %(period)s", period=period_label(report.period)),
        story,
        subtitle=f"{programme.document.concept_note.reference} {programme.title}",
        footer=programme.document.concept_note.reference,
    )
