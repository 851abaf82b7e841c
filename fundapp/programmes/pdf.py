"""PDF layouts of the programme dossier: the programme document, the committee's decisions, a progress report.
Layout only: they take loaded objects and plain data, and never query."""

from decimal import Decimal

from fundapp.committee.models import AgendaItem
from fundapp.core.pdf import build_pdf, data_table, para
from fundapp.programmes.models import JointProgramme, ProgressReport
from fundapp.programmes.reporting import period_label
from fundapp.programmes.services import Budget
from fundapp.programmes.workflow import REPORT_APPROVED


def programme_document_pdf(programme: JointProgramme, budget: Budget) -> bytes:
    document = programme.document
    note = document.concept_note
    facts = [
        ("Reference", note.reference),
        ("Title", programme.title),
        ("Convening organization", f"{note.organisation.name} ({note.organisation.code})"),
        ("Thematic area", str(note.thematic_area) if note.thematic_area else "–"),
        ("Countries", ", ".join(c.name for c in note.countries) or "Global"),
        ("Duration", f"{document.starts_on:%d %B %Y} to {document.ends_on:%d %B %Y}"),
        ("Approved", f"{document.approved_at:%d %B %Y}" if document.approved_at else "–"),
        ("National partners", programme.national_partners or "–"),
    ]
    story = [
        data_table(["", ""], facts, col_widths=[130, 370]),
        para("Summary", "h2"),
        para(document.summary),
        para("Budget by participating organization (US$)", "h2"),
        data_table(
            ["Organization", "Approved budget"],
            [
                *[[line.organisation.name, Decimal(line.amount)] for line in document.budget_lines],
                ["Total", Decimal(document.total)],
            ],
            col_widths=[350, 150],
            total_row=True,
        ),
    ]
    if budget.rows:
        story.append(para("Budget by UN category (US$)", "h2"))
        story.append(
            data_table(
                ["Organization", "Direct costs", "Indirect support costs", "Approved"],
                [
                    [row.organisation.name, Decimal(row.direct), Decimal(row.indirect), Decimal(row.approved)]
                    for row in budget.rows
                ],
                col_widths=[200, 100, 100, 100],
            )
        )
    return build_pdf(
        f"Joint programme document {note.reference}", story, subtitle=programme.title, footer=note.reference
    )


def decisions_pdf(programme: JointProgramme, items: list[AgendaItem], full: bool) -> bytes:
    note = programme.document.concept_note
    story: list = [
        para(
            "The steering committee's decisions on this joint programme's concept note"
            + (", with the extracts of the minutes." if full else ".")
        )
    ]
    if not items:
        story.append(para("No decision recorded.", "small"))
    for item in items:
        meeting = item.meeting
        story.append(para(f"{meeting.title}, {meeting.held_on:%d %B %Y}", "h2"))
        story.append(para(f"{item.title} ({item.kind.label})", "h3"))
        decision = f"Decision: {item.outcome.label}"
        if item.amount is not None:
            decision += f", US$ {Decimal(item.amount):,.2f} allocated"
        story.append(para(decision + "."))
        if full:
            if item.rule_text:
                story.append(para(item.rule_text + "."))
            if item.votes:
                story.append(
                    data_table(
                        ["Seat", "Vote", "Rationale"],
                        [(v.seat.label, v.vote.value.capitalize(), v.rationale or "—") for v in item.votes],
                    )
                )
            if item.rationale:
                story.append(para("Rationale: " + item.rationale))
        if item.shared_comment:
            story.append(para("Comment shared with the applicant: " + item.shared_comment))
    return build_pdf(
        f"Decisions on {note.reference}",
        story,
        subtitle="Steering committee decisions" + (" and minutes extracts" if full else ""),
        footer=note.reference,
    )


def report_pdf(programme: JointProgramme, report: ProgressReport, names: dict[int, str]) -> bytes:
    story = [
        para(f"Status: {report.status}. Due {report.due_on:%d %B %Y}.", "small"),
        para("Narrative", "h2"),
        para(report.narrative or "–"),
        para("Challenges", "h2"),
        para(report.challenges or "–"),
        para("Indicator values (cumulative to the end of the period)", "h2"),
        data_table(
            ["Indicator", "Actual"],
            [[names.get(v.indicator_id, str(v.indicator_id)), f"{v.actual.normalize():f}"] for v in report.values],
            col_widths=[400, 100],
            numeric_columns=(1,),
        ),
    ]
    if report.status == REPORT_APPROVED and report.approved_on:
        story.insert(0, para(f"Approved on {report.approved_on:%d %B %Y}.", "small"))
    return build_pdf(
        f"Progress report {period_label(report.period)}",
        story,
        subtitle=f"{programme.document.concept_note.reference} {programme.title}",
        footer=programme.document.concept_note.reference,
    )
