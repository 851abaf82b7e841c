"""The programme dossier: one ZIP per joint programme for auditors and donors.

Who may download (`can_download`): the secretariat, the committee (chair and members), the focal points of the
programme's participating organizations, and donors; anyone else gets a 404.

What it holds, by requester (`build`):

- ``concept-note-<ref>.pdf``: the concept note as the committee pack prints it; its status timeline (who did
  what) only for those who may open the note itself (the concept notes' ``can_view``).
- ``programme-document-<ref>.pdf``: the programme document (summary, dates, budget per organization, the
  budget by UN category, national partners), written here.
- ``decisions-and-minutes.pdf``: for each committee agenda item about the programme's concept note that carries a
  decision, the meeting, the decision and amount; the secretariat and the committee also get the minutes'
  extract (decision rule finding, votes with rationales, the committee's rationale); others get the comment the
  chair shared with the applicant.
- ``transfers-and-expenditure.csv``: the programme's ledger rows (allocations, transfers, refunds, expenditure,
  reversals with the original's category) with the USD amount; the totals per category equal the ledger's.
- ``progress-reports/<period>-<status>.pdf``: each progress report the requester may see
  (``permissions.can_view_report``: donors approved ones only, the secretariat and focal points all).
- ``attachments/<id>-<file name>``: the concept note's attachments, only when the requester may see them (the
  concept notes' attachment predicate: the lead organization's focal points, the secretariat and committee).
- ``README.txt``: the contents and what was left out for this requester.

Entries carry the programme document's approval date as their timestamp, so the same data gives the same bytes.
"""

import io
import zipfile
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from fundapp.auth.models import Organisation
from fundapp.committee.models import AgendaItem, Meeting
from fundapp.concept_notes import permissions as note_permissions
from fundapp.concept_notes import services as note_services
from fundapp.concept_notes.pdf import concept_note_pdf
from fundapp.contributions.models import EntryKind, LedgerEntry
from fundapp.core import tabular, uploads
from fundapp.core.extensions import db
from fundapp.core.pdf import build_pdf, data_table, para
from fundapp.core.permissions import COMMITTEE_ROLES, Role, has_any_role
from fundapp.programmes import permissions, results, services
from fundapp.programmes.models import JointProgramme, ProgressReport
from fundapp.reference import services as reference
from fundapp.reference.models import GuidingPrinciple, Marker

CSV_NAME = "transfers-and-expenditure.csv"
CSV_HEADER = ["Date", "Entry", "Category", "Participating organization", "Description", "Amount (USD)"]
PROGRAMME_CATEGORIES = (EntryKind.allocation, EntryKind.transfer, EntryKind.refund, EntryKind.expenditure)


def can_download(user, programme: JointProgramme) -> bool:
    return has_any_role(user, Role.secretariat, *COMMITTEE_ROLES, Role.donor) or permissions.is_focal_point(
        user, programme
    )


def _sees_minutes(user) -> bool:
    return has_any_role(user, Role.secretariat, *COMMITTEE_ROLES)


@dataclass
class Dossier:
    filename: str
    files: list[tuple[str, bytes]]


def ledger_rows(programme_id: int) -> list[list]:
    rows = db.session.execute(
        sa.select(LedgerEntry, Organisation.name)
        .outerjoin(Organisation, Organisation.id == LedgerEntry.organisation_id)
        .where(LedgerEntry.programme_id == programme_id, LedgerEntry.category.in_(PROGRAMME_CATEGORIES))
        .order_by(LedgerEntry.entry_on, LedgerEntry.id)
    ).all()
    return [[e.entry_on, e.kind.value, e.category.value, name or "", e.description, e.amount_usd] for e, name in rows]


def programme_document_pdf(programme: JointProgramme, budget) -> bytes:
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


def _decision_items(note_id: int) -> list[AgendaItem]:
    return list(
        db.session.scalars(
            sa.select(AgendaItem)
            .join(Meeting, Meeting.id == AgendaItem.meeting_id)
            .where(AgendaItem.concept_note_id == note_id, AgendaItem.outcome.is_not(None))
            .options(selectinload(AgendaItem.votes), joinedload(AgendaItem.meeting))
            .order_by(Meeting.held_on, AgendaItem.position)
        )
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
    if report.status == "approved" and report.approved_on:
        story.insert(0, para(f"Approved on {report.approved_on:%d %B %Y}.", "small"))
    return build_pdf(
        f"Progress report {results.period_label(report.period)}",
        story,
        subtitle=f"{programme.document.concept_note.reference} {programme.title}",
        footer=programme.document.concept_note.reference,
    )


def _safe(name: str) -> str:
    keep = "".join(c if c.isalnum() or c in "-_." else "-" for c in name)
    return keep.strip("-.") or "file"


def build(user, programme: JointProgramme) -> Dossier:
    note = programme.document.concept_note
    ref = note.reference
    files: list[tuple[str, bytes]] = []
    left_out: list[str] = []

    sees_note = note_permissions.can_view(user, note)
    principles = db.session.scalars(sa.select(GuidingPrinciple).order_by(GuidingPrinciple.position)).all()
    markers = db.session.scalars(sa.select(Marker).order_by(Marker.id)).all()
    fund = reference.get_fund()
    events = note_services.timeline(note) if sees_note else []
    files.append(
        (f"concept-note-{ref}.pdf", concept_note_pdf(note, principles, markers, events, fund.code if fund else ""))
    )
    if not sees_note:
        left_out.append("the concept note's status timeline")
    files.append((f"programme-document-{ref}.pdf", programme_document_pdf(programme, services.budget(programme))))

    full = _sees_minutes(user)
    files.append(("decisions-and-minutes.pdf", decisions_pdf(programme, _decision_items(note.id), full)))
    if not full:
        left_out.append("votes, the decision rule's tally and the committee's rationale (minutes)")

    files.append((CSV_NAME, tabular.csv_text(CSV_HEADER, ledger_rows(programme.id)).encode("utf-8")))

    names = {i.id: f"{i.code} {i.name}" for outcome in results.framework(programme.id) for i in outcome.indicators}
    reports = db.session.scalars(
        sa.select(ProgressReport)
        .where(ProgressReport.programme_id == programme.id)
        .options(selectinload(ProgressReport.values))
        .order_by(ProgressReport.id)
    ).all()
    hidden_reports = 0
    for report in reports:
        if not permissions.can_view_report(user, report):
            hidden_reports += 1
            continue
        files.append(
            (f"progress-reports/{_safe(report.period)}-{report.status}.pdf", report_pdf(programme, report, names))
        )
    if hidden_reports:
        left_out.append(f"{hidden_reports} progress report(s) not approved or not yours to see")

    hidden_attachments = 0
    for attachment in note.attachments:
        if not sees_note:
            hidden_attachments += 1
            continue
        path = uploads.path_of(attachment.stored_name)
        if path.exists():
            files.append((f"attachments/{attachment.id}-{_safe(attachment.filename)}", path.read_bytes()))
    if hidden_attachments:
        left_out.append(f"{hidden_attachments} concept note attachment(s) you may not see")

    lines = [
        f"Programme dossier {ref}: {programme.title}",
        "",
        "Contents:",
        *[f"  {name}" for name, _data in files],
        f"  {CSV_NAME}: columns {', '.join(CSV_HEADER)}; amounts in USD from the fund ledger.",
    ]
    if left_out:
        lines += ["", "Left out for your role:", *[f"  {item}" for item in left_out]]
    files.insert(0, ("README.txt", ("\n".join(lines) + "\n").encode("utf-8")))
    return Dossier(f"dossier-{_safe(ref)}.zip", files)


def zip_bytes(dossier: Dossier, stamp: date) -> bytes:
    """The ZIP, every entry dated `stamp` (a date or datetime; the ZIP format starts in 1980)."""
    when = (max(stamp.year, 1980), stamp.month, stamp.day, 0, 0, 0)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in dossier.files:
            info = zipfile.ZipInfo(name, date_time=when)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()
