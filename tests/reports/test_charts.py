"""The SVG charts draw their bars, escape the text people wrote, and name their bars in a tooltip."""

from decimal import Decimal

from fundapp.contributions.charts import cumulative_by_donor
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
