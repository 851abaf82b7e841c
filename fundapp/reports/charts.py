"""Server-rendered SVG charts of the transparency page (no script, no CDN). Formatting only, no queries."""

from collections.abc import Sequence
from decimal import Decimal

from markupsafe import Markup, escape

from fundapp.contributions.charts import PALETTE
from fundapp.contributions.charts import short_amount as _short
from fundapp.contributions.ledger import usd
from fundapp.core.i18n import _
from fundapp.reports.transparency import BreakdownRow, Transparency


def grouped_bars(
    rows: Sequence[tuple[str, Sequence[Decimal]]], series: Sequence[str], title: str, empty: str = ""
) -> Markup:
    """Horizontal bars: one group per row (label, values), one bar per series, amounts (USD) at the bar ends."""
    if not rows or not any(v for _label, values in rows for v in values):
        return Markup('<p class="muted">') + escape(empty or _("Nothing yet.")) + Markup("</p>")
    bar_h, gap, left, right, top_pad = 12, 14, 190, 70, 28
    group_h = bar_h * len(series) + gap
    width = 760
    height = top_pad + group_h * len(rows) + 8
    top = max(v for _label, values in rows for v in values) or Decimal(1)
    plot_w = width - left - right
    parts = [
        (
            f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
            'xmlns="http://www.w3.org/2000/svg" direction="ltr">'
        ),
        f"<title>{escape(title)}</title>",
    ]
    for s, name in enumerate(series):
        lx = left + s * 150
        parts.append(f'<rect x="{lx}" y="4" width="12" height="12" fill="{PALETTE[s % len(PALETTE)]}"/>')
        parts.append(f'<text x="{lx + 16}" y="14" class="legend">{escape(name)}</text>')
    for n, (label, values) in enumerate(rows):
        y0 = top_pad + n * group_h
        short = label if len(label) <= 30 else label[:29] + "…"
        parts.append(
            f'<text x="{left - 8}" y="{y0 + bar_h * len(series) / 2 + 4:.1f}" text-anchor="end" class="axis">'
            f"{escape(short)}</text>"
        )
        for s, value in enumerate(values):
            w = float(max(value, Decimal(0)) / top) * plot_w
            y = y0 + s * bar_h
            parts.append(
                f'<rect x="{left}" y="{y}" width="{max(w, 0.5):.1f}" height="{bar_h - 2}" '
                f'fill="{PALETTE[s % len(PALETTE)]}"><title>'
                + escape(_("%(label)s, %(series)s: US$ %(amount)s", label=label, series=series[s], amount=usd(value)))
                + "</title></rect>"
            )
            parts.append(f'<text x="{left + w + 4:.1f}" y="{y + bar_h - 3}" class="axis">{_short(value)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704  (every piece of text above went through escape() or is a number)


def progress_bar(value: Decimal, target: Decimal, title: str) -> Markup:
    """One bar of deposits against the capitalization target, with the percentage."""
    width, height, left = 760, 56, 0
    share = float(min(value / target, Decimal(1))) if target else 0.0
    deposited = escape(_("US$ %(amount)s deposited", amount=_short(value)))
    target_label = escape(_("Target US$ %(amount)s", amount=_short(target)))
    parts = [
        (
            f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
            'xmlns="http://www.w3.org/2000/svg" direction="ltr">'
        ),
        f"<title>{escape(title)}</title>",
        f'<rect x="{left}" y="8" width="{width}" height="24" fill="#eceff3"/>',
        f'<rect x="{left}" y="8" width="{share * width:.1f}" height="24" fill="{PALETTE[0]}"/>',
        f'<text x="4" y="50" class="axis">{deposited}</text>',
        f'<text x="{width - 4}" y="50" text-anchor="end" class="axis">{target_label}</text>',
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
            [(name, [committed, deposited]) for name, committed, deposited in cap.by_donor],
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
