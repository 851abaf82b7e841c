"""The programme dossier: one ZIP per joint programme for auditors and donors.

Who may download (`permissions.can_download_dossier`): the secretariat, the committee (chair and members), the
focal points of the programme's participating organizations, and donors; anyone else gets a 404.

What it holds, by requester (`build`):

- ``concept-note-<ref>.pdf``: the concept note as the committee pack prints it; its status timeline (who did
  what) only for those who may open the note itself (the concept notes' ``can_view``).
- ``programme-document-<ref>.pdf``: the programme document (summary, dates, budget per organization, the
  budget by UN category, national partners), laid out in `pdf.py`.
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

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from fundapp.auth.models import Organisation, User
from fundapp.committee.models import AgendaItem, Meeting
from fundapp.concept_notes import services as note_services
from fundapp.concept_notes.pdf import concept_note_pdf
from fundapp.contributions.models import EntryKind, LedgerEntry
from fundapp.core import tabular, uploads
from fundapp.core.extensions import db
from fundapp.core.i18n import _
from fundapp.programmes import permissions, reporting, services
from fundapp.programmes.models import JointProgramme
from fundapp.programmes.pdf import decisions_pdf, programme_document_pdf, report_pdf
from fundapp.reference import services as reference

CSV_NAME = "transfers-and-expenditure.csv"
CSV_HEADER = ["Date", "Entry", "Category", "Participating organization", "Description", "Amount (USD)"]
PROGRAMME_CATEGORIES = (EntryKind.allocation, EntryKind.transfer, EntryKind.refund, EntryKind.expenditure)


@dataclass
class Dossier:
    filename: str
    files: list[tuple[str, bytes]]
    #: Every entry's timestamp: the programme document's approval.
    stamp: date


def ledger_rows(programme_id: int) -> list[list]:
    rows = db.session.execute(
        sa.select(LedgerEntry, Organisation.name)
        .outerjoin(Organisation, Organisation.id == LedgerEntry.organisation_id)
        .where(LedgerEntry.programme_id == programme_id, LedgerEntry.category.in_(PROGRAMME_CATEGORIES))
        .order_by(LedgerEntry.entry_on, LedgerEntry.id)
    ).all()
    return [[e.entry_on, e.kind.value, e.category.value, name or "", e.description, e.amount_usd] for e, name in rows]


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


def _safe(name: str) -> str:
    keep = "".join(c if c.isalnum() or c in "-_." else "-" for c in name)
    return keep.strip("-.") or "file"


def build(user: User, programme: JointProgramme) -> Dossier:
    note = programme.document.concept_note
    ref = programme.reference
    files: list[tuple[str, bytes]] = []
    left_out: list[str] = []

    sees_note = permissions.can_open_concept_note(user, programme)
    principles = reference.guiding_principles()
    markers = reference.markers()
    fund = reference.get_fund()
    events = note_services.timeline(note) if sees_note else []
    files.append(
        (
            f"concept-note-{note.reference}.pdf",
            concept_note_pdf(note, principles, markers, events, fund.code if fund else ""),
        )
    )
    if not sees_note:
        left_out.append(_("the concept note's status timeline"))
    files.append((f"programme-document-{ref}.pdf", programme_document_pdf(programme, services.budget(programme))))

    full = permissions.can_see_minutes(user)
    files.append(("decisions-and-minutes.pdf", decisions_pdf(programme, _decision_items(note.id), full)))
    if not full:
        left_out.append(_("votes, the decision rule's tally and the committee's rationale (minutes)"))

    files.append((CSV_NAME, tabular.csv_text(CSV_HEADER, ledger_rows(programme.id)).encode("utf-8")))

    names = {i.id: f"{i.code} {i.name}" for outcome in reporting.framework(programme.id) for i in outcome.indicators}
    reports = reporting.reports(programme.id)
    hidden_reports = 0
    for report in reports:
        if not permissions.can_view_report(user, report):
            hidden_reports += 1
            continue
        files.append(
            (f"progress-reports/{_safe(report.period)}-{report.status}.pdf", report_pdf(programme, report, names))
        )
    if hidden_reports:
        left_out.append(_("%(count)s progress report(s) not approved or not yours to see", count=hidden_reports))

    hidden_attachments = 0
    for attachment in note.attachments:
        if not sees_note:
            hidden_attachments += 1
            continue
        path = uploads.path_of(attachment.stored_name)
        if path.exists():
            files.append((f"attachments/{attachment.id}-{_safe(attachment.filename)}", path.read_bytes()))
    if hidden_attachments:
        left_out.append(_("%(count)s concept note attachment(s) you may not see", count=hidden_attachments))

    lines = [
        _(
            "Programme dossier %(reference)s (from concept note %(note)s): %(title)s",
            reference=ref,
            note=note.reference,
            title=programme.title,
        ),
        "",
        _("Contents:"),
        *[f"  {name}" for name, _data in files],
        "  "
        + _(
            "%(file)s: columns %(columns)s; amounts in USD from the fund ledger.",
            file=CSV_NAME,
            columns=", ".join(CSV_HEADER),
        ),
    ]
    if left_out:
        lines += ["", _("Left out for your role:"), *[f"  {item}" for item in left_out]]
    files.insert(0, ("README.txt", ("\n".join(lines) + "\n").encode("utf-8")))
    stamp = programme.document.approved_at or programme.approved_on
    return Dossier(f"dossier-{_safe(ref)}.zip", files, stamp)


def zip_bytes(dossier: Dossier) -> bytes:
    """The ZIP, every entry dated with the dossier's stamp (a date or datetime; the ZIP format starts in 1980)."""
    stamp = dossier.stamp
    when = (max(stamp.year, 1980), stamp.month, stamp.day, 0, 0, 0)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in dossier.files:
            info = zipfile.ZipInfo(name, date_time=when)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()
