"""The concept note as a PDF for a committee pack. Rendering only: takes loaded objects, runs no queries."""

from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from fundapp.concept_notes.models import NARRATIVES, ConceptNote
from fundapp.concept_notes.workflow import status_label
from fundapp.core.i18n import _, _n
from fundapp.core.pdf import build_pdf, data_table, para
from fundapp.core.templating import format_date, format_datetime, format_percent


def concept_note_pdf(
    note: ConceptNote, principles: list[Any], markers: list[Any], events: list[dict[str, Any]], fund_code: str
) -> bytes:
    story: list[Any] = []
    facts = [
        (_("Status"), status_label(note.status)),
        (_("Call"), note.call.title),
        (_("Lead organization"), f"{note.organisation.name} ({note.organisation.code})"),
        (_("Thematic area"), note.thematic_area.label if note.thematic_area else "–"),
        (_("GCM objectives"), "; ".join(o.label for o in note.objectives) or "–"),
        (_("Scope"), note.scope.label if note.scope else "–"),
        (_("Countries"), ", ".join(c.local_name for c in note.countries) or "–"),
        (_("Duration"), _n("%(num)d month", "%(num)d months", note.duration_months) if note.duration_months else "–"),
        (
            _("Gender-equality budget share"),
            format_percent(note.gender_budget_share, 2) if note.gender_budget_share is not None else "–",
        ),
        (_("Government partners"), note.government_partners or "–"),
        (
            _("Submitted"),
            _("%(date)s (version %(number)s)", date=format_date(note.last_submitted_on), number=note.version_count)
            if note.last_submitted_on
            else _("not yet"),
        ),
    ]
    story.append(data_table(["", ""], facts, col_widths=[45 * mm, 133 * mm]))
    story.append(para(_("Budget (USD)"), "h2"))
    rows = [
        [
            _("%(code)s (lead)", code=p.organisation.code) if p.is_lead else p.organisation.code,
            p.direct_costs,
            p.indirect_costs,
            p.total,
        ]
        for p in note.participants
    ]
    rows.append([_("Total"), note.direct_costs_total, note.indirect_costs_total, note.budget_total])
    story.append(
        data_table(
            [_("Participating UN organization"), _("Direct costs"), _("Indirect support costs"), _("Total")],
            rows,
            col_widths=[70 * mm, 36 * mm, 36 * mm, 36 * mm],
            total_row=True,
        )
    )
    for attr, label, _help in NARRATIVES:
        story.append(para(_(label), "h2"))
        story.append(para(getattr(note, attr) or "–"))
    story.append(para(_("Guiding principles"), "h2"))
    texts = {s.principle_id: s.text for s in note.principles}
    for principle in principles:
        story.append(para(f"{principle.code}) {principle.local_name}", "h3"))
        story.append(para(texts.get(principle.id) or "–"))
    story.append(para(_("Markers (self-assessed)"), "h2"))
    scores = {m.marker_id: m.score for m in note.markers}
    story.append(
        data_table(
            [_("Marker"), _("Score (0–3)")],
            [[m.local_name, str(scores.get(m.id, "–"))] for m in markers],
            col_widths=[120 * mm, 58 * mm],
        )
    )
    if note.attachments:
        story.append(para(_("Attachments"), "h2"))
        story.append(
            data_table(
                [_("Document"), _("File"), _("Size")],
                [[a.kind.label, a.filename, _("%(size)s KB", size=round(a.size / 1024))] for a in note.attachments],
                col_widths=[55 * mm, 95 * mm, 28 * mm],
            )
        )
    story.append(para(_("Timeline"), "h2"))
    story.append(
        data_table(
            [_("When"), _("Status"), _("By"), _("Why")],
            [
                [
                    format_datetime(e["event"].created_at),
                    e["to_label"],
                    e["actor"].name if e["actor"] else _("System"),
                    e["event"].reason or "",
                ]
                for e in events
            ],
            col_widths=[32 * mm, 35 * mm, 40 * mm, 71 * mm],
        )
    )
    story.append(Spacer(1, 4 * mm))
    return build_pdf(
        f"{note.reference} {note.title or _('(untitled)')}",
        story,
        subtitle=_(
            "Concept note · %(organisation)s · %(status)s",
            organisation=note.organisation.code,
            status=status_label(note.status),
        ),
        footer=f"{fund_code} · {note.reference}",
    )
