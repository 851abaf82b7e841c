"""Choosing the language (profile, kept choice, Accept-Language, English) and the locale-aware filters."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from flask_babel import force_locale

from fundapp.core.errors import NotAllowed
from fundapp.core.i18n import LANGUAGE_COOKIE, language, text_direction
from fundapp.core.money import MoneyInputError, format_money, parse_decimal
from fundapp.core.templating import format_date, format_datetime, format_percent, money_filter
from fundapp.core.uploads import UploadRefused, check_upload
from fundapp.core.workflow import StateMachine, Transition

SPACES = str.maketrans({"\u202f": " ", "\xa0": " "})


def html_tag(page: str) -> str:
    return page[page.index("<html") : page.index(">", page.index("<html")) + 1]


@pytest.mark.parametrize(
    ("header", "lang", "direction"),
    [
        ("fr-FR,fr;q=0.9,en;q=0.5", "fr", "ltr"),
        ("es-419,es;q=0.9", "es", "ltr"),
        ("ar", "ar", "rtl"),
        ("de", "en", "ltr"),
    ],
)
def test_the_browser_language_picks_the_page_language(client, header, lang, direction):
    page = client.get("/login", headers={"Accept-Language": header}).get_data(as_text=True)
    assert html_tag(page) == f'<html lang="{lang}" dir="{direction}">'


def test_without_any_choice_pages_are_english(client):
    assert html_tag(client.get("/login").get_data(as_text=True)) == '<html lang="en" dir="ltr">'


def test_the_switcher_keeps_a_visitors_choice_over_the_browser_language(client):
    response = client.post("/language", data={"language": "es", "next": "/login"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/login")
    assert LANGUAGE_COOKIE in response.headers["Set-Cookie"]
    page = client.get("/login", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert html_tag(page) == '<html lang="es" dir="ltr">'


def test_the_switcher_is_on_public_pages_and_names_each_language_in_itself(client):
    for url in ("/login", "/", "/transparency/"):
        page = client.get(url).get_data(as_text=True)
        assert 'action="/language"' in page, url
        for code, name in (("en", "English"), ("fr", "Français"), ("es", "Español"), ("ar", "العربية")):
            assert f'value="{code}" lang="{code}"' in page, (url, code)
            assert name in page, (url, code)


def test_the_switcher_refuses_an_unknown_language_and_an_outside_redirect(client):
    assert client.post("/language", data={"language": "xx"}).status_code == 400
    response = client.post("/language", data={"language": "fr", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"


def test_a_signed_in_users_switch_goes_to_their_profile(client, login, user):
    account = login("applicant@example.org")
    client.post("/language", data={"language": "ar", "next": "/profile"})
    assert user("applicant@example.org").language == "ar"
    page = client.get("/profile", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert html_tag(page) == '<html lang="ar" dir="rtl">'
    assert account.language == "ar"


def test_the_profile_language_wins_over_the_browser_and_the_cookie(client, login, user, db):
    login("donor@example.org")
    user("donor@example.org").language = "fr"
    client.set_cookie(LANGUAGE_COOKIE, "es")
    page = client.get("/profile", headers={"Accept-Language": "ar"}).get_data(as_text=True)
    assert html_tag(page) == '<html lang="fr" dir="ltr">'
    assert '<option value="fr" lang="fr" selected>' in page


def test_the_profile_offers_the_choice(client, login):
    login("applicant@example.org")
    page = client.get("/profile").get_data(as_text=True)
    assert 'id="profile-language"' in page
    assert "Language of your pages, PDFs and emails" in page


def test_english_formats_are_unchanged(app):
    with app.test_request_context():
        assert format_money(Decimal("30000000")) == "30,000,000.00"
        assert format_money(Decimal("1234.5"), "USD") == "USD 1,234.50"
        assert format_money(None) == "–"
        assert format_date(date(2026, 12, 5)) == "05 Dec 2026"
        assert format_datetime(datetime(2026, 12, 5, 9, 3)) == "05 Dec 2026 09:03 UTC"
        assert format_percent(Decimal("12.5")) == "12.5%"
        assert language() == "en"
        assert text_direction() == "ltr"


@pytest.mark.parametrize(
    ("lang", "money", "plain", "percent", "day"),
    [
        ("fr", "30 000 000,00 $US", "1 234,50", "12,5 %", "5 décembre 2026"),
        ("es", "30.000.000,00 US$", "1.234,50", "12,5 %", "5 de diciembre de 2026"),
    ],
)
def test_french_and_spanish_formats(app, lang, money, plain, percent, day):
    with app.test_request_context(), force_locale(lang):
        assert format_money(Decimal("30000000"), "USD").translate(SPACES) == money
        assert format_money(Decimal("1234.5")).translate(SPACES) == plain
        assert format_percent(Decimal("12.5")).translate(SPACES) == percent
        assert format_date(date(2026, 12, 5)) == day


def test_arabic_amounts_stay_left_to_right_inside_the_page(app):
    with app.test_request_context(), force_locale("ar"):
        assert text_direction() == "rtl"
        shown = money_filter(Decimal("1234.5"), "USD")
        assert shown.startswith("\u2066")
        assert shown.endswith("\u2069")
        assert "1,234.50" in shown
        assert money_filter(None) == "–"


@pytest.mark.parametrize(
    ("lang", "number", "empty", "refused"),
    [
        ("fr", "Écrivez le montant en entier", "Le fichier est vide.", "Vous n'êtes pas autorisé(e) à"),
        ("es", "Escriba el importe completo", "El archivo está vacío.", "No está autorizado/a a"),
        ("ar", "اكتب المبلغ كاملًا", "الملف فارغ.", "غير مسموح لك بـ"),
    ],
)
def test_core_refusals_come_in_the_readers_language(app, lang, number, empty, refused):
    """The money parser, the upload check and the state machines refuse in the reader's language; the English
    text is what tests elsewhere read."""

    machine = StateMachine("thing", ["draft", "done"], [Transition("finish", "draft", "done", frozenset({"x"}))])

    class Actor:
        role_names = ("applicant",)

    class Thing:
        status = "draft"

    with app.test_request_context(), force_locale(lang):
        with pytest.raises(MoneyInputError) as parsed:
            parse_decimal("1e5")
        with pytest.raises(UploadRefused) as uploaded:
            check_upload("empty.pdf", b"")
        with pytest.raises(NotAllowed) as fired:
            machine.fire(Thing(), "finish", Actor())
    assert str(parsed.value).startswith(number)
    assert uploaded.value.message == empty
    assert fired.value.message.startswith(refused)
    with app.test_request_context(), pytest.raises(MoneyInputError) as english:
        parse_decimal("1e5")
    assert str(english.value) == "Write the amount in full, without an exponent (write 100000, not 1e5)."


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("fr", "page doit être un nombre entier de 1 à 100,000, et non"),
        ("es", "page debe ser un número entero de 1 a 100,000, no"),
        ("ar", "يجب أن يكون page عددًا صحيحًا من 1 إلى 100,000"),
    ],
)
def test_a_bad_query_argument_is_refused_in_the_browsers_language(client, login, header, message):
    login("secretariat@example.org")
    page = client.get("/concept-notes/?page=0", headers={"Accept-Language": header}).get_data(as_text=True)
    assert message in page
