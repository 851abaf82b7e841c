"""Server-rendered SVG charts (no script: the CSP allows none inline). Formatting only.

Right to left (Arabic) every chart is mirrored: `Mirror` turns each x coordinate round, so bars grow from the
right, axes and labels stand on the right, legends read from the right; the SVG's `direction` is `rtl`, so a
label's `text-anchor` ("start", "end") stays the logical one and Arabic text is laid out as Arabic. Figures
(amounts, years, quarters) are isolated left to right (`figure()`), so their digits are never reordered.
"""

import re
from decimal import Decimal

from markupsafe import Markup, escape

from fundapp.contributions.ledger import usd
from fundapp.core.i18n import _, text_direction

PALETTE = [
    "#0b5394",
    "#e69138",
    "#6aa84f",
    "#cc0000",
    "#674ea7",
    "#45818e",
    "#bf9000",
    "#a64d79",
    "#3d85c6",
    "#93c47d",
    "#f6b26b",
    "#76a5af",
]


#: Legend entries per row under the cumulative deposits chart.
LEGEND_COLUMNS = 3
#: Unicode's left-to-right isolate and its end: plain characters, valid in SVG text and attributes alike.
_LRI, _PDI = "\u2066", "\u2069"
#: Letters of the right-to-left scripts (Hebrew, Arabic and their presentation forms).
RIGHT_TO_LEFT_LETTERS = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")


class Mirror:
    """x coordinates of a chart `width` units wide, drawn left to right or mirrored for a right-to-left page."""

    def __init__(self, width: float) -> None:
        self.width = width
        self.mirrored = text_direction() == "rtl"

    @property
    def direction(self) -> str:
        """The SVG's `direction`: text-anchor "start" is the right end of a label on a right-to-left page."""
        return "rtl" if self.mirrored else "ltr"

    def x(self, x: float) -> float:
        """Where a point `x` units from the start (the left, or the right when mirrored) is drawn."""
        return self.width - x if self.mirrored else x

    def box(self, x: float, w: float) -> float:
        """The left edge of a box `w` wide that starts `x` units from the chart's start."""
        return self.width - x - w if self.mirrored else x


def figure(text: object) -> str:
    """A figure kept left to right inside right-to-left text (its digits, separators and unit in their order)."""
    return f"{_LRI}{text}{_PDI}" if text_direction() == "rtl" else str(text)


def own_direction(text: str) -> str:
    """A name as people wrote it (a donor, an organization) on a right-to-left chart: written in Latin letters
    only, it is kept left to right ("Germany, Federal Foreign Office…" keeps its comma and ellipsis where an
    English reader expects them); a label with Arabic in it ("TA1 <its Arabic name>") takes the page's direction."""
    if text_direction() != "rtl" or RIGHT_TO_LEFT_LETTERS.search(text):
        return text
    return f"{_LRI}{text}{_PDI}"


def short_amount(value: Decimal) -> str:
    """An amount as an axis or bar label: 70M, 1.5M, 250k, 900 (the exact figure is in the bar's title).

    Public because the transparency page's charts (reports) label their bars the same way.
    """
    if value >= 1_000_000:
        millions = f"{value / 1_000_000:,.0f}" if value % 1_000_000 == 0 else f"{value / 1_000_000:,.1f}"
        return _("%(amount)sM", amount=figure(millions))
    if value >= 1_000:
        return _("%(amount)sk", amount=figure(f"{value / 1_000:,.0f}"))
    return figure(f"{value:,.0f}")


def _quarter(year: int, quarter: int) -> str:
    """'Q1 2020' (quarter counted from 0)."""
    return _("Q%(quarter)s %(year)s", quarter=figure(quarter + 1), year=figure(year))


def cumulative_by_donor(
    monthly: list[tuple[int, int, str, Decimal]], target: Decimal | None = None, title: str = ""
) -> Markup:
    """Stacked bars of cumulative deposits (USD) per quarter, one colour per donor, with the target as a line."""
    title = title or _("Deposits over time")
    if not monthly:
        return Markup('<p class="muted">%s</p>') % _("No deposits yet.")
    donors = sorted({name for _y, _m, name, _v in monthly})
    first = (monthly[0][0], (monthly[0][1] - 1) // 3)
    last = max(((y, (m - 1) // 3) for y, m, *_ in monthly))
    quarters = []
    y, q = first
    while (y, q) <= last:
        quarters.append((y, q))
        y, q = (y + 1, 0) if q == 3 else (y, q + 1)
    running = dict.fromkeys(donors, Decimal(0))
    stacks = []
    index = 0
    ordered = sorted(monthly, key=lambda r: (r[0], r[1]))
    for year, quarter in quarters:
        while index < len(ordered) and (ordered[index][0], (ordered[index][1] - 1) // 3) <= (year, quarter):
            running[ordered[index][2]] += ordered[index][3]
            index += 1
        stacks.append(dict(running))
    total = sum(stacks[-1].values(), Decimal(0))
    top = max(total, target or Decimal(0)) or Decimal(1)
    width, height, left, bottom, top_pad = 760, 300, 64, 40, 16
    plot_h = height - bottom - top_pad
    bar_w = (width - left - 10) / len(quarters)
    m = Mirror(width)
    parts = [
        (
            f'<svg class="chart" viewBox="0 0 {width} {height + 22 * -(-len(donors) // LEGEND_COLUMNS)}" role="img" '
            f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg" direction="{m.direction}">'
        ),
        f"<title>{escape(title)}</title>",
    ]
    for i in range(5):
        value = top * i / 4
        yy = top_pad + plot_h - float(value / top) * plot_h
        parts.append(f'<line x1="{m.x(left)}" x2="{m.x(width - 10)}" y1="{yy:.1f}" y2="{yy:.1f}" class="grid"/>')
        parts.append(
            f'<text x="{m.x(left - 6)}" y="{yy + 4:.1f}" text-anchor="end" class="axis">{short_amount(value)}</text>'
        )
    for n, ((year, quarter), stack) in enumerate(zip(quarters, stacks, strict=True)):
        x = left + n * bar_w + 2
        base = 0.0
        for d, donor in enumerate(donors):
            value = stack[donor]
            if not value:
                continue
            h = float(value / top) * plot_h
            yy = top_pad + plot_h - base - h
            tip = escape(
                _(
                    "%(donor)s: US$ %(amount)s by %(quarter)s",
                    donor=donor,
                    amount=usd(value),
                    quarter=_quarter(year, quarter),
                )
            )
            bar = max(bar_w - 4, 1)
            parts.append(
                f'<rect x="{m.box(x, bar):.1f}" y="{yy:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'fill="{PALETTE[d % len(PALETTE)]}"><title>{tip}</title></rect>'
            )
            base += h
        if quarter == 0 or n == 0:
            parts.append(
                f'<text x="{m.x(x):.1f}" y="{height - bottom + 16}" class="axis">'
                f"{escape(_quarter(year, quarter))}</text>"
            )
    if target:
        yy = top_pad + plot_h - float(target / top) * plot_h
        parts.append(f'<line x1="{m.x(left)}" x2="{m.x(width - 10)}" y1="{yy:.1f}" y2="{yy:.1f}" class="target"/>')
        target_label = escape(_("Target %(amount)s", amount=short_amount(target)))
        parts.append(
            f'<text x="{m.x(width - 12)}" y="{yy - 5:.1f}" text-anchor="end" class="axis">{target_label}</text>'
        )
    for d, donor in enumerate(donors):
        # Three legend entries a row, each cut at the end if it must be (the bars' tooltips name the donor in full).
        lx = 10 + (d % LEGEND_COLUMNS) * 250
        ly = height + 4 + 22 * (d // LEGEND_COLUMNS)
        parts.append(f'<rect x="{m.box(lx, 12)}" y="{ly}" width="12" height="12" fill="{PALETTE[d % len(PALETTE)]}"/>')
        label = donor if len(donor) <= 30 else donor[:29].rstrip() + "…"
        parts.append(f'<text x="{m.x(lx + 16)}" y="{ly + 10}" class="legend">{escape(own_direction(label))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704  (every piece of text above went through escape())


def bars_by_year(by_year: list[tuple[int, Decimal]], title: str = "") -> Markup:
    """One bar per year (USD), labelled with its amount."""
    title = title or _("Deposits by year")
    if not by_year:
        return Markup('<p class="muted">%s</p>') % _("No deposits yet.")
    width, height, left, bottom, top_pad = 520, 220, 64, 28, 22
    plot_h = height - bottom - top_pad
    top = max(v for _y, v in by_year) or Decimal(1)
    slot = (width - left - 10) / len(by_year)
    m = Mirror(width)
    parts = [
        (
            f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
            f'xmlns="http://www.w3.org/2000/svg" direction="{m.direction}">'
        ),
        f"<title>{escape(title)}</title>",
        f'<line x1="{m.x(left)}" x2="{m.x(width - 10)}" y1="{top_pad + plot_h}" y2="{top_pad + plot_h}" class="grid"/>',
    ]
    for n, (year, value) in enumerate(by_year):
        h = float(value / top) * plot_h
        x = left + n * slot + slot * 0.2
        y = top_pad + plot_h - h
        bar_title = escape(_("%(year)s: US$ %(amount)s", year=year, amount=usd(value)))
        parts.append(
            f'<rect x="{m.box(x, slot * 0.6):.1f}" y="{y:.1f}" width="{slot * 0.6:.1f}" height="{h:.1f}" '
            f'fill="{PALETTE[0]}"><title>{bar_title}</title></rect>'
        )
        parts.append(
            f'<text x="{m.x(x + slot * 0.3):.1f}" y="{y - 5:.1f}" text-anchor="middle" class="axis">'
            f"{short_amount(value)}</text>"
        )
        parts.append(
            f'<text x="{m.x(x + slot * 0.3):.1f}" y="{height - bottom + 16}" text-anchor="middle" class="axis">'
            f"{figure(year)}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704  (every piece of text above went through escape() or is a number)
