"""The public transparency pages in the visitor's language (their browser's Accept-Language); the CSV tables and
the JSON API stay English, whatever the language asked."""

import csv
import html
import io

import pytest
from flask_babel import force_locale

from tests.transparency.helpers import funded_programme

SPACES = str.maketrans({"\u202f": " ", "\xa0": " "})
ISOLATES = str.maketrans({"\u2066": None, "\u2068": None, "\u2069": None})


def _page(client, url: str, lang: str) -> str:
    response = client.get(url, headers={"Accept-Language": lang})
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True)).translate(SPACES).translate(ISOLATES)


@pytest.mark.parametrize(
    ("lang", "heading", "section", "stat", "direction"),
    [
        ("fr", "D’où vient l’argent et où il va", "Capitalisation et contributeurs", "Alloué aux programmes", "ltr"),
        (
            "es",
            "De dónde viene el dinero y adónde va",
            "Capitalización y contribuyentes",
            "Asignado a programas",
            "ltr",
        ),
        ("ar", "من أين تأتي الأموال وإلى أين تذهب", "الرسملة والجهات المساهمة", "المخصَّص للبرامج المشتركة", "rtl"),
    ],
)
def test_the_transparency_page_in_the_visitors_language(client, db, lang, heading, section, stat, direction):
    funded_programme()
    page = _page(client, "/transparency/", lang)
    assert f"<h1>{heading}</h1>" in page
    assert f"<h2>{section}</h2>" in page
    assert stat in page
    assert f'dir="{direction}"' in page
    assert "Where the money comes from" not in page
    assert "Allocated to joint programmes" not in page


def test_the_transparency_page_formats_amounts_in_the_visitors_language(client, db):
    funded_programme()  # a deposit of EUR 1,000,000.00 at 0.9: US$ 1,111,111.11
    assert "1,111,111.11" in _page(client, "/transparency/", "en")
    assert "1 111 111,11" in _page(client, "/transparency/", "fr")
    assert "1.111.111,11" in _page(client, "/transparency/", "es")


@pytest.mark.parametrize(
    ("lang", "intro", "movement"),
    [
        ("fr", "Programme conjoint", "Allocation sur l’enveloppe"),
        ("es", "Programa conjunto", "Asignación de la bolsa"),
        ("ar", "البرنامج المشترك", "تخصيص من المجمّع"),
    ],
)
def test_a_programme_page_in_the_visitors_language(client, db, lang, intro, movement):
    document = funded_programme()
    page = _page(client, f"/transparency/programmes/{document.id}", lang)
    assert f'<p class="lead">{intro} ' in page
    assert movement in page  # the money movements' kinds, from the ledger's labels
    assert "Money movements" not in page


def test_the_public_csv_and_json_stay_english_in_any_language(client, db):
    document = funded_programme()
    statement = client.get("/transparency/statement.csv", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(statement)))
    assert rows[0] == ["Section", "Line", "Value", "Unit"]
    assert rows[1][:2] == ["Sources of funds", "Contributions from donors"]
    detail = client.get(f"/api/v1/programmes/{document.id}", headers={"Accept-Language": "es"}).json
    assert detail["transactions"][0]["kind"].startswith("Allocation from the")


def test_a_programme_page_names_its_thematic_area_in_the_language(app, client, db):
    document = funded_programme()
    area = document.concept_note.thematic_area
    with app.test_request_context(), force_locale("fr"):
        french = area.local_name
    assert french != area.name  # the reference data carries the area's French name
    page = _page(client, f"/transparency/programmes/{document.id}", "fr")
    assert french in page
    assert area.name not in page
    detail = client.get(f"/api/v1/programmes/{document.id}", headers={"Accept-Language": "fr"}).json
    assert detail["thematic_area"]["name"] == area.name  # the API's values stay English
