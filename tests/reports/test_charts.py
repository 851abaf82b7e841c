"""The SVG charts draw their bars, escape the text people wrote, and name their bars in a tooltip."""

import re
from decimal import Decimal

import pytest
from flask_babel import force_locale

from fundapp.contributions.charts import bars_by_year, cumulative_by_donor
from fundapp.reports.charts import grouped_bars


def test_grouped_bars_draw_a_bar_per_value_and_escape_the_labels(app):
    with app.test_request_context():
        svg = str(grouped_bars([("TA1 <b>data</b>", [Decimal(100), Decimal(50)])], ["Allocated", "Spent"], "By area"))
    assert svg.count("<rect") == 4  # two legend keys, two bars
    assert "&lt;rect" not in svg
    assert "&lt;b&gt;data&lt;/b&gt;" in svg
    assert "<b>" not in svg
    assert "<title>TA1 &lt;b&gt;data&lt;/b&gt;, Allocated: US$ 100.00</title>" in svg


def test_cumulative_deposits_draw_their_stacks(app):
    monthly = [(2020, 3, "Germany <x>", Decimal("1000.00")), (2020, 7, "Norway", Decimal("500.00"))]
    with app.test_request_context():
        svg = str(cumulative_by_donor(monthly, Decimal("5000.00")))
    assert "&lt;rect" not in svg
    assert "<rect" in svg
    assert "Germany &lt;x&gt;: US$ 1,000.00" in svg


def _rect_xs(svg: str) -> list[float]:
    """x of each bar (rects with a tooltip), in drawing order."""
    return [float(x) for x in re.findall(r'<rect x="([\d.]+)"[^>]*><title>', svg)]


def test_charts_are_mirrored_in_arabic_and_their_figures_stay_left_to_right(app):
    """Right to left: the first year's bar at the right, bars growing from the right edge, the SVG's direction
    rtl (text-anchor stays logical), amounts and years isolated left to right; English is drawn as before."""
    by_year = [(2019, Decimal("3300000")), (2020, Decimal("5700000"))]
    rows = [("Germany, Federal Foreign Office", [Decimal(100), Decimal(50)])]
    with app.test_request_context(), force_locale("en"):
        years_en, grouped_en = str(bars_by_year(by_year)), str(grouped_bars(rows, ["A", "B"], "By donor"))
    with app.test_request_context(), force_locale("ar"):
        years_ar, grouped_ar = str(bars_by_year(by_year)), str(grouped_bars(rows, ["A", "B"], "By donor"))
    assert 'direction="ltr"' in years_en
    assert 'direction="rtl"' in years_ar
    first, second = _rect_xs(years_en)
    assert first < second
    first_ar, second_ar = _rect_xs(years_ar)
    assert first_ar > second_ar
    assert first_ar + first == pytest.approx(second_ar + second)  # the same geometry, turned round
    # Horizontal bars start at x=0 in English and end at the right edge (480 units) in Arabic.
    assert _rect_xs(grouped_en) == [0.0, 0.0]
    assert [
        round(float(x) + float(w))
        for x, w in re.findall(r'<rect x="([\d.]+)" y="\d+" width="([\d.]+)" height="13"', grouped_ar)
    ] == [480, 480]
    assert "\u2066" not in years_en
    assert "\u20662019\u2069" in years_ar
    assert "\u2066Germany, Federal Foreign Office\u2069" in grouped_ar  # a name in Latin letters: left to right


def test_a_label_with_arabic_in_it_takes_the_pages_direction(app):
    """A code and its Arabic name ("TA1 …") read from the right, the code first: not isolated left to right."""
    with app.test_request_context(), force_locale("ar"):
        svg = str(grouped_bars([("TA1 تعزيز خطاب الهجرة", [Decimal(100)])], ["A"], "By area"))
    assert ">TA1 تعزيز خطاب الهجرة</text>" in svg


def test_the_cumulative_chart_reads_from_the_right_in_arabic(app):
    monthly = [(2020, 3, "Germany", Decimal("1000.00")), (2021, 7, "Norway", Decimal("500.00"))]
    with app.test_request_context(), force_locale("ar"):
        svg = str(cumulative_by_donor(monthly, Decimal("5000.00")))
    xs = _rect_xs(svg)
    assert xs == sorted(xs, reverse=True)  # quarter after quarter, leftwards
    assert 'direction="rtl"' in svg
