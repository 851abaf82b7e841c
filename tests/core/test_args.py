"""Reading what arrives in a URL: the bounded id converter, the query argument parser, the NUL guard, and the
number fields every form uses (no NaN, infinity, exponent or 400-digit number reaches a service)."""

import ast
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from flask import Flask
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict

from fundapp.core import args
from fundapp.core.forms import DecimalField, IntegerField, coerce_id

PACKAGE = Path(__file__).resolve().parents[2] / "fundapp"


@pytest.fixture
def probe_app():
    """A bare app with the converter and the NUL guard, and one route per kind of argument."""
    app = Flask(__name__)
    app.config["TESTING"] = True
    args.register(app)

    @app.route("/things/<int:thing_id>")
    def thing(thing_id: int):
        return str(thing_id)

    @app.route("/list")
    def listing():
        return {
            "page": args.page(),
            "call": args.identifier("call"),
            "as_of": str(args.date_value("as_of")),
            "status": args.choice("status", {"open", "closed"}),
            "q": args.text("q"),
        }

    @app.route("/form", methods=["POST"])
    def form():
        return "ok"

    return app


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/things/1", 200),
        ("/things/2147483647", 200),
        ("/things/2147483648", 404),
        ("/things/9223372036854775808", 404),
        ("/things/" + "9" * 400, 404),
        ("/things/-1", 404),
        ("/things/%D9%A3", 404),  # Arabic-Indic three: a digit to Python's int(), not to the route
        ("/things/1e3", 404),
    ],
)
def test_ids_in_paths_are_ascii_and_bounded(probe_app, path, status):
    assert probe_app.test_client().get(path).status_code == status


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("page=10%5E23", "page must be a whole number from 1 to 100,000, not &#39;10^23&#39;."),
        ("page=-1", "page must be a whole number from 1 to 100,000"),
        ("page=0", "page must be a whole number from 1 to 100,000"),
        ("page=100001", "page must be a whole number from 1 to 100,000"),
        ("page=%D9%A3", "page must be a whole number from 1 to 100,000"),
        ("page=NaN", "page must be a whole number"),
        ("page=" + "9" * 400, "page must be a whole number"),
        ("call=%C2%B2", "call must be the number of a record"),
        ("call=99999999999", "call must be the number of a record"),
        ("as_of=2021-13-45", "as_of must be a date written YYYY-MM-DD"),
        ("as_of=99999-01-01", "as_of must be a date written YYYY-MM-DD"),
        ("q=" + "x" * 201, "q must be at most 200 characters."),
        ("q=a%0Ab", "q must not contain control characters."),
        ("q=a%00b", "contains a NUL character"),
    ],
)
def test_bad_query_arguments_are_400_with_a_message(probe_app, query, message):
    response = probe_app.test_client().get(f"/list?{query}")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_good_and_blank_query_arguments(probe_app):
    client = probe_app.test_client()
    assert client.get("/list").get_json() == {"page": 1, "call": None, "as_of": "None", "status": "", "q": ""}
    got = client.get("/list?page=3&call=12&as_of=2021-12-31&status=closed&q=+fiji+").get_json()
    assert got == {"page": 3, "call": 12, "as_of": "2021-12-31", "status": "closed", "q": "fiji"}
    # Blank fields (as a filter form sends them) take the defaults; an unknown choice is the default.
    assert client.get("/list?page=&call=&status=bogus").get_json()["page"] == 1


def test_nul_in_a_form_field_is_refused_before_the_view(probe_app):
    response = probe_app.test_client().post("/form", data={"title": "a\x00b"})
    assert response.status_code == 400


def test_as_id_and_strict_choice():
    assert args.as_id("12") == 12
    assert [args.as_id(v) for v in ("0", "-1", "²", "٣", "1e3", "9" * 11, "", None)] == [None] * 8
    assert args.choice("x", {"a"}, args={"x": "a"}) == "a"
    with pytest.raises(args.BadArgument):
        args.choice("x", {"a"}, strict=True, args={"x": "b"})
    assert args.date_value("d", args={"d": "2021-02-28"}) == date(2021, 2, 28)


class _Numbers(FlaskForm):
    class Meta:
        csrf = False

    amount = DecimalField("Amount")
    count = IntegerField("Count")


@pytest.mark.parametrize(
    "value",
    ["NaN", "sNaN", "Infinity", "-inf", "1e999999", "1E+5", "9" * 16, "-" + "9" * 400, "٣", "²", "1,000", "10^23"],
)
def test_number_fields_refuse_what_is_not_a_plain_number(app, value):
    with app.test_request_context(method="POST", data={"amount": value, "count": value}):
        form = _Numbers(formdata=MultiDict({"amount": value, "count": value}))
        assert not form.validate()
        assert form.amount.errors == ["Not a valid decimal value."]
        assert form.count.errors == ["Not a valid integer value."]
        assert form.amount.data is None
        assert form.count.data is None


@pytest.mark.parametrize(
    ("value", "amount", "count"),
    [
        ("12", Decimal("12"), 12),
        (" 1250000.50 ", Decimal("1250000.50"), None),
        ("-3", Decimal("-3"), -3),
        ("", None, None),
    ],
)
def test_number_fields_read_plain_numbers(app, value, amount, count):
    with app.test_request_context(method="POST"):
        form = _Numbers(formdata=MultiDict({"amount": value, "count": value}))
        form.validate()
        assert form.amount.data == amount
        assert form.count.data == count


def test_coerce_id():
    assert coerce_id("0") == 0
    assert coerce_id(" 42 ") == 42
    for bad in ("-1", "9" * 11, "٣", "x", "1.0", ""):
        with pytest.raises(ValueError):
            coerce_id(bad)


def _forms() -> list[Path]:
    return sorted(PACKAGE.glob("*/forms.py"))


@pytest.mark.parametrize("path", _forms(), ids=lambda p: p.parent.name)
def test_forms_take_their_number_fields_from_core(path):
    """WTForms' own DecimalField and IntegerField let NaN and 400-digit numbers through; `coerce=int` too."""
    if path.parent.name == "core":
        return
    tree = ast.parse(path.read_text())
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("wtforms"):
            found += [a.name for a in node.names if a.name in {"DecimalField", "IntegerField", "FloatField"}]
        if isinstance(node, ast.keyword) and node.arg == "coerce" and getattr(node.value, "id", None) == "int":
            found.append(f"coerce=int at line {node.value.lineno}")
    assert found == []
