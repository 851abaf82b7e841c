"""Server-rendered SVG charts of the transparency page (no script, no CDN). Formatting only, no queries.

Mirrored right to left in Arabic as the contributions charts are (`contributions.charts.Mirror`): bars grow from
the right, their labels and the legend stand on the right, the amounts at the bars' ends stay left to right.
"""

import textwrap
from collections.abc import Sequence
from decimal import Decimal

from markupsafe import Markup, escape

from fundapp.contributions.charts import PALETTE, Mirror, own_direction
from fundapp.contributions.charts import short_amount as _short
from fundapp.contributions.ledger import usd
from fundapp.core.i18n import _
from fundapp.reports.transparency import BreakdownRow, Transparency

#: Width of the horizontal bar charts in SVG units: narrow enough that their text stays readable once the chart is
#: scaled down to a phone's width, drawn at most a little larger than this on a wide screen (CSS).
BAR_CHART_WIDTH = 480
#: A label wraps onto a second line past this many characters, and is cut at the end of the second (the bar's
#: tooltip and the table beside the chart give it in full): never cut at the start.
LABEL_LINE_CHARS = 46
#: The width of one character of a bar's amount (13 px type), in SVG units, with some to spare.
VALUE_CHAR_WIDTH = 7.5
#: The invisible bidi isolates around figures take no room.
_NO_ISOLATES = str.maketrans(dict.fromkeys(map(ord, "\u2066\u2068\u2069"), None))


def _label_lines(label: str) -> list[str]:
    lines = textwrap.wrap(label, LABEL_LINE_CHARS) or [""]
    if len(lines) > 2:
        lines = [lines[0], textwrap.shorten(" ".join(lines[1:]), LABEL_LINE_CHARS, placeholder=" …")]
    return lines


def grouped_bars(
    rows: Sequence[tuple[str, Sequence[Decimal]]], series: Sequence[str], title: str, empty: str = ""
) -> Markup:
    """Horizontal bars: one group per row, its label on a line (or two) of its own above its bars, one bar per
    series, amounts (USD) at the bar ends."""
    if not rows or not any(v for _label, values in rows for v in values):
        return Markup('<p class="muted">') + escape(empty or _("Nothing yet.")) + Markup("</p>")
    bar_h, line_h, gap, top_pad = 15, 19, 12, 30
    labels = [_label_lines(label) for label, _values in rows]
    width = BAR_CHART_WIDTH
    height = top_pad + sum(line_h * len(lines) + 4 + bar_h * len(series) + gap for lines in labels)
    top = max(v for _label, values in rows for v in values) or Decimal(1)
    # Room past the longest bar for its amount: "11.4M" in English, "11.4 مليون" in Arabic (13 px type).
    amounts = {v: _short(v) for _label, values in rows for v in values}
    right = max(64, 12 + VALUE_CHAR_WIDTH * max(len(a.translate(_NO_ISOLATES)) for a in amounts.values()))
    plot_w = width - right
    m = Mirror(width)
    parts = [
        (
            f'<svg class="chart bars" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
            f'xmlns="http://www.w3.org/2000/svg" direction="{m.direction}">'
        ),
        f"<title>{escape(title)}</title>",
    ]
    for s, serie in enumerate(series):
        lx = s * 140
        parts.append(f'<rect x="{m.box(lx, 14)}" y="6" width="14" height="14" fill="{PALETTE[s % len(PALETTE)]}"/>')
        parts.append(f'<text x="{m.x(lx + 20)}" y="18" class="legend">{escape(serie)}</text>')
    y0 = top_pad
    for (label, values), lines in zip(rows, labels, strict=True):
        for i, line in enumerate(lines):
            text = escape(own_direction(line))
            parts.append(f'<text x="{m.x(0)}" y="{y0 + 15 + i * line_h}" class="bar-label">{text}</text>')
        y0 += line_h * len(lines) + 4
        for s, value in enumerate(values):
            w = float(max(value, Decimal(0)) / top) * plot_w
            y = y0 + s * bar_h
            tip = escape(_("%(label)s, %(series)s: US$ %(amount)s", label=label, series=series[s], amount=usd(value)))
            parts.append(
                f'<rect x="{m.box(0, max(w, 0.5)):.1f}" y="{y}" width="{max(w, 0.5):.1f}" height="{bar_h - 2}" '
                f'fill="{PALETTE[s % len(PALETTE)]}"><title>{tip}</title></rect>'
            )
            parts.append(f'<text x="{m.x(w + 5):.1f}" y="{y + bar_h - 3}" class="value">{amounts[value]}</text>')
        y0 += bar_h * len(values) + gap
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704  (every piece of text above went through escape() or is a number)


def progress_bar(value: Decimal, target: Decimal, title: str) -> Markup:
    """One bar of deposits against the capitalization target, with the percentage."""
    width, height, left = 760, 64, 0
    share = float(min(value / target, Decimal(1))) if target else 0.0
    m = Mirror(width)
    deposited = escape(_("US$ %(amount)s deposited", amount=_short(value)))
    target_label = escape(_("Target US$ %(amount)s", amount=_short(target)))
    parts = [
        (
            f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
            f'xmlns="http://www.w3.org/2000/svg" direction="{m.direction}">'
        ),
        f"<title>{escape(title)}</title>",
        f'<rect x="{left}" y="8" width="{width}" height="24" fill="#eceff3"/>',
        (
            f'<rect x="{m.box(left, share * width):.1f}" y="8" width="{share * width:.1f}" height="24" '
            f'fill="{PALETTE[0]}"/>'
        ),
        f'<text x="{m.x(4)}" y="{height - 4}" class="caption">{deposited}</text>',
        f'<text x="{m.x(width - 4)}" y="{height - 4}" text-anchor="end" class="caption">{target_label}</text>',
    ]
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704  (numbers and escaped text only)


def _breakdown(rows: list[BreakdownRow], title: str) -> Markup:
    return grouped_bars(
        [
            (
                r.label if r.key == r.label else f"{r.key} {r.label}",
                [r.money.allocated, r.money.transferred, r.money.expenditure],
            )
            for r in rows
        ],
        [_("Allocated"), _("Transferred"), _("Expenditure")],
        title,
        empty=_("No allocations yet."),
    )


def transparency(data: Transparency) -> dict[str, Markup]:
    """The transparency page's charts, by their place on the page."""
    cap = data.capitalization
    return {
        "capitalization": progress_bar(cap.deposits_usd, cap.target_usd, _("Deposits against the target")),
        "contributors": grouped_bars(
            [(name, [committed, deposited]) for name, committed, deposited in data.top_contributors],
            [_("Commitments"), _("Deposits")],
            _("Commitments and deposits by contributor"),
            empty=_("No contributions yet."),
        ),
        "area": _breakdown(data.by_area, _("Allocations, transfers and expenditure by thematic area")),
        "organisation": _breakdown(
            data.by_organisation, _("Allocations, transfers and expenditure by participating organization")
        ),
        "region": _breakdown(data.by_region, _("Allocations, transfers and expenditure by region")),
    }
