"""Exchange rates in the language's number format, and the application's own stored sentences shown translated."""

import html
from datetime import date
from decimal import Decimal

import pytest
from flask_babel import force_locale

from fundapp.core import templating
from fundapp.core.templating import format_rate, system_text

SPACES = str.maketrans({"\u202f": " ", "\xa0": " "})


@pytest.mark.parametrize(
    ("lang", "small", "large"),
    [
        ("en", "0.851000", "3,800.250000"),
        ("fr", "0,851000", "3 800,250000"),
        ("es", "0,851000", "3.800,250000"),
        ("ar", "0.851000", "3,800.250000"),
    ],
)
def test_a_rate_keeps_its_six_decimals_with_the_languages_separators(app, lang, small, large):
    with force_locale(lang):
        assert format_rate(Decimal("0.851")) == small
        assert format_rate(Decimal("3800.25")).translate(SPACES) == large
        assert format_rate(None) == "–"


def test_the_rate_filter_isolates_a_rate_in_arabic(app):
    with app.test_request_context(), force_locale("ar"):
        assert templating.rate_filter(Decimal("0.9")) == "\u20660.900000\u2069"
    with app.test_request_context(), force_locale("fr"):
        assert app.jinja_env.filters["rate"](Decimal("0.9")) == "0,900000"


@pytest.mark.parametrize(
    ("stored", "fr", "es", "ar"),
    [
        ("Deposit DEU-2020", "Dépôt DEU-2020", "Depósito DEU-2020", "إيداع DEU-2020"),
        (
            "Administrative agent fee DEU-2020",
            "Commission de l’agent administratif DEU-2020",
            "Comisión del agente administrativo DEU-2020",
            "رسوم الوكيل الإداري DEU-2020",
        ),
        ("Version 3", "Version 3", "Versión 3", "الإصدار 3"),
        (
            "meeting 5: Concept note for endorsement",
            "réunion 5 : Note conceptuelle pour entérinement",
            "reunión 5: Nota conceptual para respaldo",
            "الاجتماع 5: مذكرة مفاهيمية لإقرارها",
        ),
        (
            "Endorsed into the pipeline",
            "Entérinée et versée dans la réserve de programmes",
            "Respaldada e incorporada a la cartera",
            "أُقرّت وأُدرجت ضمن البرامج المرشحة",
        ),
        ("Approved", "Approuvé", "Aprobado", "معتمد"),
        (
            "12 ledger entries; figures stored",
            "12 écritures au grand livre ; chiffres enregistrés",
            "12 asientos en el libro mayor; cifras guardadas",
            "12 من قيود دفتر الأستاذ؛ حُفظت الأرقام",
        ),
        (
            "Final narrative report received 05 March 2024",
            "Rapport descriptif final reçu le 5 mars 2024",
            "Informe narrativo final recibido el 5 de marzo de 2024",
            "ورد التقرير السردي النهائي في 5 مارس 2024",
        ),
    ],
)
def test_a_sentence_the_application_stored_is_shown_in_the_language(app, stored, fr, es, ar):
    for lang, expected in (("fr", fr), ("es", es), ("ar", ar)):
        with force_locale(lang):
            assert system_text(stored) == expected
    with force_locale("en"):
        assert system_text(stored) == stored


def test_what_a_person_wrote_stays_as_written(app):
    with force_locale("fr"):
        assert (
            system_text("Deposit received late, see the bank's letter")
            == "Deposit received late, see the bank's letter"
        )
        assert system_text("Reversal of #12: wrong amount") == "Contre-passation de l'écriture n° 12 : wrong amount"
        assert system_text("") == ""
        assert system_text(None) == ""


def test_every_system_text_has_its_placeholders(app):
    """Each pattern's named groups are the message's placeholders, so no stored sentence can break the filter."""
    for pattern, message in templating.SYSTEM_TEXTS:
        if message is None:  # the whole text is one recorded label
            assert list(pattern.groupindex) == ["label"]
            continue
        for group in pattern.groupindex:
            assert f"%({group})s" in str(message)


def test_a_system_text_date_uses_the_long_date(app):
    with force_locale("es"):
        assert templating.format_long_date(date(2024, 3, 5)) in system_text(
            "Final narrative report received 05 March 2024"
        )


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("fr", "Cette adresse n'accepte pas cette méthode."),
        ("es", "Esta dirección no acepta este método."),
        ("ar", "هذا العنوان لا يقبل هذه الطريقة."),
    ],
)
def test_an_error_page_says_werkzeugs_default_in_the_language(client, lang, message):
    client.post("/language", data={"language": lang})
    response = client.post("/transparency/")
    assert response.status_code == 405
    page = html.unescape(response.get_data(as_text=True))
    assert message in page
    assert "not allowed for the requested URL" not in page
