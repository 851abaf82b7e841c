"""Minutes and committee pack PDFs. Rendering only: takes the loaded meeting and its overview, runs no queries."""

from typing import Any

from reportlab.platypus import Spacer

from fundapp.committee.models import Meeting
from fundapp.committee.workflow import MEETING_LABELS
from fundapp.core.money import format_money
from fundapp.core.pdf import build_pdf, data_table, para


def _attendance(o: dict[str, Any]) -> list:
    present = [s for s in o["voting"] + o["observers"] if s.id in o["present"]]
    absent = [s for s in o["voting"] if s.id not in o["present"]]
    rows = [(s.user.name, s.label, s.constituency.label, "Present") for s in present]
    rows += [(s.user.name, s.label, s.constituency.label, "Absent") for s in absent]
    return [
        para("Attendance and quorum", "h2"),
        data_table(["Member", "Seat", "Constituency", "Attendance"], rows),
        Spacer(1, 4),
        para(o["quorum_text"] + "."),
    ]


def minutes_pdf(meeting: Meeting, o: dict[str, Any]) -> bytes:
    story = [
        para(
            f"{meeting.held_on:%d %B %Y}, {meeting.location or 'place not recorded'} — "
            f"{MEETING_LABELS.get(meeting.status, meeting.status)}"
        )
    ]
    story += _attendance(o)
    story.append(para("Decisions", "h2"))
    for number, entry in enumerate(o["items"], start=1):
        item = entry["item"]
        story.append(para(f"{number}. {item.title} ({item.kind.label})", "h3"))
        if item.outcome is not None:
            decision = f"Decision: {item.outcome.label}"
            if item.amount is not None:
                decision += f", US$ {format_money(item.amount)} allocated"
            story.append(para(decision + "."))
            if item.rule_text:
                story.append(para(item.rule_text + "."))
        else:
            story.append(para(f"No decision ({item.status})."))
        if entry["recused"]:
            story.append(
                para("Recused: " + "; ".join(f"{s.user.name} ({s.label}): {c.reason}" for s, c in entry["recused"]))
            )
        if entry["votes"]:
            story.append(
                data_table(
                    ["Member", "Vote", "Rationale"],
                    [
                        (s.user.name if s else "?", v.vote.value.capitalize(), v.rationale or "—")
                        for s, v in entry["votes"]
                    ],
                )
            )
        if item.rationale:
            story.append(para("Rationale: " + item.rationale))
        if item.shared_comment:
            story.append(para("Shared with the applicant: " + item.shared_comment))
        story.append(Spacer(1, 6))
    return build_pdf(f"Minutes: {meeting.title}", story, subtitle="Steering committee minutes", footer=meeting.title)


def pack_pdf(meeting: Meeting, o: dict[str, Any], ranks: dict[int, int]) -> bytes:
    story = [
        para(f"Meeting of {meeting.held_on:%d %B %Y}, {meeting.location or 'place to be confirmed'}."),
        para("Agenda", "h2"),
    ]
    rows = []
    for number, entry in enumerate(o["items"], start=1):
        item = entry["item"]
        note = item.concept_note
        summary = entry["summary"]
        rows.append(
            (
                str(number),
                item.title,
                item.kind.label,
                note.budget_total if note else "—",
                str(summary.weighted_total) if summary and summary.weighted_total is not None else "—",
                str(ranks.get(note.id, "—")) if note else "—",
            )
        )
    story.append(
        data_table(["#", "Item", "Kind", "Requested (US$)", "Score (0–100)", "Rank"], rows, numeric_columns=(4, 5))
    )
    for number, entry in enumerate(o["items"], start=1):
        note = entry["item"].concept_note
        if note is None:
            continue
        story.append(para(f"{number}. {note.reference} {note.title}", "h3"))
        story.append(
            para(
                f"Lead: {note.organisation.name}. "
                f"Partners: {', '.join(p.organisation.code for p in note.partners) or 'none'}. "
                f"Thematic area: {note.thematic_area.name if note.thematic_area else '—'}. "
                f"Countries: {', '.join(c.name for c in note.countries) or 'global'}. "
                f"Requested budget: US$ {format_money(note.budget_total)}."
            )
        )
        story.append(para(note.expected_results or note.context or ""))
        summary = entry["summary"]
        if summary and summary.members:
            story.append(
                data_table(
                    ["Criterion", "Weight", "Average (1–5)", "Spread"],
                    [(c.code, str(c.weight), str(c.mean), str(c.spread)) for c in summary.criteria]
                    + [("Weighted total (0–100)", "100", str(summary.weighted_total), str(summary.total_spread))],
                    numeric_columns=(1, 2, 3),
                    total_row=True,
                )
            )
        else:
            story.append(para("No closed review yet: scores are not available."))
    return build_pdf(
        f"Committee pack: {meeting.title}", story, subtitle="Steering committee pack", footer=meeting.title
    )
