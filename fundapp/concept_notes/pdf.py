"""The concept note as a PDF for a committee pack. Rendering only: takes loaded objects, runs no queries."""

from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from fundapp.concept_notes.models import NARRATIVES, ConceptNote
from fundapp.concept_notes.workflow import status_label
from fundapp.core.pdf import build_pdf, data_table, para


def concept_note_pdf(
    note: ConceptNote, principles: list[Any], markers: list[Any], events: list[dict[str, Any]], fund_code: str
) -> bytes:
    story: list[Any] = []
    facts = [
        ("Status", status_label(note.status)),
        ("Call", note.call.title),
        ("Lead organization", f"{note.organisation.name} ({note.organisation.code})"),
        ("Thematic area", str(note.thematic_area) if note.thematic_area else "–"),
        ("GCM objectives", "; ".join(str(o) for o in note.objectives) or "–"),
        ("Scope", note.scope.label if note.scope else "–"),
        ("Countries", ", ".join(c.name for c in note.countries) or "–"),
        ("Duration", f"{note.duration_months} months" if note.duration_months else "–"),
        (
            "Gender-equality budget share",
            f"{note.gender_budget_share}%" if note.gender_budget_share is not None else "–",
        ),
        ("Government partners", note.government_partners or "–"),
        (
            "Submitted",
            f"{note.last_submitted_on:%d %b %Y} (version {note.version_count})"
            if note.last_submitted_on
            else "not yet",
        ),
    ]
    story.append(data_table(["", ""], facts, col_widths=[45 * mm, 133 * mm]))
    story.append(para("Budget (USD)", "h2"))
    rows = [
        [f"{p.organisation.code}{' (lead)' if p.is_lead else ''}", p.direct_costs, p.indirect_costs, p.total]
        for p in note.participants
    ]
    rows.append(["Total", note.direct_costs_total, note.indirect_costs_total, note.budget_total])
    story.append(
        data_table(
            ["Participating UN organization", "Direct costs", "Indirect support costs", "Total"],
            rows,
            col_widths=[70 * mm, 36 * mm, 36 * mm, 36 * mm],
            total_row=True,
        )
    )
    for attr, label, _help in NARRATIVES:
        story.append(para(label, "h2"))
        story.append(para(getattr(note, attr) or "–"))
    story.append(para("Guiding principles", "h2"))
    texts = {s.principle_id: s.text for s in note.principles}
    for principle in principles:
        story.append(para(f"{principle.code}) {principle.name}", "h3"))
        story.append(para(texts.get(principle.id) or "–"))
    story.append(para("Markers (self-assessed)", "h2"))
    scores = {m.marker_id: m.score for m in note.markers}
    story.append(
        data_table(
            ["Marker", "Score (0–3)"],
            [[m.name, str(scores.get(m.id, "–"))] for m in markers],
            col_widths=[120 * mm, 58 * mm],
        )
    )
    if note.attachments:
        story.append(para("Attachments", "h2"))
        story.append(
            data_table(
                ["Document", "File", "Size"],
                [[a.kind.label, a.filename, f"{a.size / 1024:,.0f} KB"] for a in note.attachments],
                col_widths=[55 * mm, 95 * mm, 28 * mm],
            )
        )
    story.append(para("Timeline", "h2"))
    story.append(
        data_table(
            ["When", "Status", "By", "Why"],
            [
                [
                    f"{e['event'].created_at:%d %b %Y %H:%M}",
                    e["to_label"],
                    e["actor"].name if e["actor"] else "System",
                    e["event"].reason or "",
                ]
                for e in events
            ],
            col_widths=[32 * mm, 35 * mm, 40 * mm, 71 * mm],
        )
    )
    story.append(Spacer(1, 4 * mm))
    return build_pdf(
        f"{note.reference} {note.title or '(untitled)'}",
        story,
        subtitle=f"Concept note · {note.organisation.code} · {status_label(note.status)}",
        footer=f"{fund_code} · {note.reference}",
    )
