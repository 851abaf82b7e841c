"""Minutes and committee pack PDFs. Rendering only: takes the loaded meeting and its overview, runs no queries.

The text is in the reader's language (the request's); dates and amounts go through the locale's formats.
"""

from typing import Any

from reportlab.platypus import Spacer

from fundapp.committee.models import Meeting
from fundapp.committee.workflow import AGENDA_ITEM_LABELS, MEETING_LABELS, VOTE_LABELS
from fundapp.core.i18n import _
from fundapp.core.money import format_money
from fundapp.core.pdf import build_pdf, data_table, para
from fundapp.core.templating import format_date


def _attendance(o: dict[str, Any]) -> list:
    present = [s for s in o["voting"] + o["observers"] if s.id in o["present"]]
    absent = [s for s in o["voting"] if s.id not in o["present"]]
    rows = [(s.user.name, s.label, s.constituency.label, _("Present")) for s in present]
    rows += [(s.user.name, s.label, s.constituency.label, _("Absent")) for s in absent]
    return [
        para(_("Attendance and quorum"), "h2"),
        data_table([_("Member"), _("Seat"), _("Constituency"), _("Attendance")], rows),
        Spacer(1, 4),
        para(o["quorum_text"] + "."),
    ]


def minutes_pdf(meeting: Meeting, o: dict[str, Any]) -> bytes:
    story = [
        para(
            _(
                "%(date)s, %(place)s — %(status)s",
                date=format_date(meeting.held_on),
                place=meeting.location or _("place not recorded"),
                status=MEETING_LABELS.get(meeting.status, meeting.status),
            )
        )
    ]
    story += _attendance(o)
    story.append(para(_("Decisions"), "h2"))
    for number, entry in enumerate(o["items"], start=1):
        item = entry["item"]
        story.append(para(f"{number}. {item.title} ({item.kind.label})", "h3"))
        if item.outcome is not None:
            if item.amount is not None:
                decision = _(
                    "Decision: %(outcome)s, US$ %(amount)s allocated.",
                    outcome=item.outcome.label,
                    amount=format_money(item.amount),
                )
            else:
                decision = _("Decision: %(outcome)s.", outcome=item.outcome.label)
            story.append(para(decision))
            if item.rule_text:
                story.append(para(item.rule_text + "."))
        else:
            status = AGENDA_ITEM_LABELS.get(item.status, item.status)
            story.append(para(_("No decision (%(status)s).", status=str(status).lower())))
        if entry["recused"]:
            recused = "; ".join(f"{s.user.name} ({s.label}): {c.reason}" for s, c in entry["recused"])
            story.append(para(_("Recused: %(members)s", members=recused)))
        if entry["votes"]:
            story.append(
                data_table(
                    [_("Member"), _("Vote"), _("Rationale")],
                    [
                        (s.user.name if s else "?", VOTE_LABELS[v.vote.value], v.rationale or "—")
                        for s, v in entry["votes"]
                    ],
                )
            )
        if item.rationale:
            story.append(para(_("Rationale: %(text)s", text=item.rationale)))
        if item.shared_comment:
            story.append(para(_("Shared with the applicant: %(text)s", text=item.shared_comment)))
        story.append(Spacer(1, 6))
    return build_pdf(
        _("Minutes: %(meeting)s", meeting=meeting.title),
        story,
        subtitle=_("Steering committee minutes"),
        footer=meeting.title,
    )


def pack_pdf(meeting: Meeting, o: dict[str, Any], ranks: dict[int, int]) -> bytes:
    story = [
        para(
            _(
                "Meeting of %(date)s, %(place)s.",
                date=format_date(meeting.held_on),
                place=meeting.location or _("place to be confirmed"),
            )
        ),
        para(_("Agenda"), "h2"),
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
    header = ["#", _("Item"), _("Kind"), _("Requested (US$)"), _("Score (0–100)"), _("Rank")]
    story.append(data_table(header, rows, numeric_columns=(4, 5)))
    for number, entry in enumerate(o["items"], start=1):
        note = entry["item"].concept_note
        if note is None:
            continue
        story.append(para(f"{number}. {note.reference} {note.title}", "h3"))
        story.append(
            para(
                _(
                    "Lead: %(lead)s. Partners: %(partners)s. Thematic area: %(area)s. Countries: %(countries)s. "
                    "Requested budget: US$ %(budget)s.",
                    lead=note.organisation.name,
                    partners=", ".join(p.organisation.code for p in note.partners) or _("none"),
                    area=note.thematic_area.local_name if note.thematic_area else "—",
                    countries=", ".join(c.local_name for c in note.countries) or _("global"),
                    budget=format_money(note.budget_total),
                )
            )
        )
        story.append(para(note.expected_results or note.context or ""))
        summary = entry["summary"]
        if summary and summary.members:
            story.append(
                data_table(
                    [_("Criterion"), _("Weight"), _("Average (1–5)"), _("Spread")],
                    [(c.code, str(c.weight), str(c.mean), str(c.spread)) for c in summary.criteria]
                    + [(_("Weighted total (0–100)"), "100", str(summary.weighted_total), str(summary.total_spread))],
                    numeric_columns=(1, 2, 3),
                    total_row=True,
                )
            )
        else:
            story.append(para(_("No closed review yet: scores are not available.")))
    return build_pdf(
        _("Committee pack: %(meeting)s", meeting=meeting.title),
        story,
        subtitle=_("Steering committee pack"),
        footer=meeting.title,
    )
