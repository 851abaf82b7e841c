"""Contributions in the reader's language: the donor's pages, refused deposits, the ledger's messages and
machine exports that stay English."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from fundapp.contributions import ledger, periods, reconcile, services
from fundapp.contributions.services import Overpayment
from tests.contributions import factories as cf
from tests.core.tamper import without_triggers

#: Babel separates thousands with narrow or plain no-break spaces in French.
SPACES = str.maketrans({"\u202f": " ", "\xa0": " "})
#: Amounts and dates are isolated left to right in Arabic pages (core.templating): read them without the marks.
ISOLATES = str.maketrans({"\u2066": None, "\u2068": None, "\u2069": None})


def _text(response) -> str:
    return response.get_data(as_text=True).translate(SPACES).translate(ISOLATES)


@pytest.mark.parametrize(
    ("lang", "heading", "figures", "status", "deposit"),
    [
        ("fr", "Mes contributions", "Utilisation des fonds", "Partiellement versé", "400 000,00"),
        ("es", "Mis contribuciones", "Cómo se utilizaron los fondos", "Pagado parcialmente", "400.000,00"),
        ("ar", "مساهماتي", "أوجه استخدام الأموال", "مدفوع جزئيًا", "400,000.00"),
    ],
)
def test_the_donor_portal_in_the_donors_language(client, login, db, lang, heading, figures, status, deposit):
    cf.deposit("DEU")  # EUR 400,000.00 on an agreement of EUR 1,000,000.00
    account = login("donor@example.org")  # Germany
    account.language = lang
    page = _text(client.get("/contributions/my"))
    assert f"<h1>{heading}</h1>" in page
    assert f"<h2>{figures}</h2>" in page
    assert status in page  # the agreement's status label, not its code
    assert f"EUR {deposit}" in page
    assert "My contributions" not in page
    assert "How the money was used" not in page


def test_the_donor_portal_stays_english_by_default(client, login, db):
    cf.deposit("DEU")
    login("donor@example.org")
    page = client.get("/contributions/my").get_data(as_text=True)
    assert "<h1>My contributions</h1>" in page
    assert "Partially paid" in page
    assert "EUR 400,000.00" in page


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("fr", "Ce dépôt porte TEST-DEU-EUR à 1 500,00 EUR, plus que les 1 000,00 EUR engagés."),
        ("es", "Este depósito lleva TEST-DEU-EUR a 1.500,00 EUR, más que los 1.000,00 EUR comprometidos."),
        ("ar", "يرفع هذا الإيداع الاتفاق TEST-DEU-EUR إلى 1,500.00 EUR"),
    ],
)
def test_a_refused_deposit_is_explained_in_the_secretariats_language(client, login, db, lang, expected):
    cf.rate("EUR", date(2020, 3, 1), "0.9")
    agreement = cf.agreement("DEU", amount="1000.00")
    account = login("secretariat@example.org")
    account.language = lang
    url = f"/contributions/agreements/{agreement.id}/deposits/new"
    refused = client.post(url, data={"deposited_on": "2020-03-02", "amount": "1500.00"})
    page = _text(refused)
    assert "confirm_overpayment-error" in page  # next to the confirmation box, as in English
    assert expected in page
    assert "Tick the confirmation" not in page


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "There is no UN operational rate of exchange for EUR in April 2020. Add it under Exchange rates first."),
        ("fr", "Il n’existe pas de taux de change opérationnel de l’ONU pour EUR en avril 2020."),
        ("es", "No hay tipo de cambio operacional de las Naciones Unidas para EUR en abril de 2020."),
        ("ar", "لا يوجد سعر صرف معمول به في الأمم المتحدة لعملة EUR في أبريل 2020."),
    ],
)
def test_a_domain_error_names_the_month_in_the_language(app, db, lang, expected):
    agreement = cf.agreement("DEU")
    with app.test_request_context(), force_locale(lang), pytest.raises(services.MissingRate) as refused:
        services.record_deposit(None, agreement, Decimal("10.00"), date(2020, 4, 2))
    assert expected in str(refused.value)


def test_an_overpayment_refused_by_the_service_carries_the_locale_separators(app, db):
    cf.rate("EUR", date(2020, 3, 1), "0.9")
    agreement = cf.agreement("DEU", amount="1000000.00")
    with app.test_request_context(), force_locale("es"), pytest.raises(Overpayment) as refused:
        services.record_deposit(None, agreement, Decimal("1500000.00"), date(2020, 3, 2))
    assert "1.500.000,00 EUR" in str(refused.value)
    assert "1.000.000,00 EUR comprometidos" in str(refused.value)


@pytest.mark.parametrize(
    ("lang", "month", "day"),
    [("en", "May 2019", "1 May 2019"), ("fr", "mai 2019", "1 mai 2019"), ("es", "mayo de 2019", "1 de mayo de 2019")],
)
def test_month_and_day_names_follow_the_language(app, lang, month, day):
    with app.test_request_context(), force_locale(lang):
        assert ledger.month_label(date(2019, 5, 1)) == month
        assert ledger.day_label(date(2019, 5, 1)) == day


def test_the_statement_page_is_translated_but_its_csv_stays_english(client, login, db):
    cf.deposit("DEU")
    account = login("secretariat@example.org")
    account.language = "fr"
    page = _text(client.get("/contributions/funding-status?as_of=2020-12-31"))
    assert "Sources des fonds" in page
    assert "Commission de l’agent administratif" in page
    rows = list(csv.reader(io.StringIO(client.get("/contributions/funding-status.csv?as_of=2020-12-31").text)))
    labels = [row[0] for row in rows]
    assert "Sources of funds" in labels
    assert "Administrative Agent fee" in labels
    assert not any("Sources des fonds" in label for label in labels)


# Exchange rates and the books' own sentences --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "rate", "description"),
    [
        ("fr", "0,900000", "Dépôt TEST-DEU-EUR"),
        ("es", "0,900000", "Depósito TEST-DEU-EUR"),
        ("ar", "0.900000", "إيداع TEST-DEU-EUR"),
    ],
)
def test_a_deposit_shows_its_rate_and_ledger_descriptions_in_the_language(client, login, db, lang, rate, description):
    deposit = cf.deposit("DEU")
    account = login("secretariat@example.org")
    account.language = lang
    page = _text(client.get(f"/contributions/deposits/{deposit.id}"))
    assert rate in page
    assert description in page
    assert "0.900000" not in page or lang == "ar"
    rates = _text(client.get("/contributions/rates"))
    assert rate in rates


def test_a_recorded_deposit_is_confirmed_with_the_rate_in_the_language(client, login, db):
    cf.rate("EUR", date(2020, 5, 1), "0.917351")
    agreement = cf.agreement("DEU", amount="5000000.00")
    account = login("secretariat@example.org")
    account.language = "fr"
    response = client.post(
        f"/contributions/agreements/{agreement.id}/deposits/new",
        data={"deposited_on": "2020-05-12", "amount": "2500000.00"},
        follow_redirects=True,
    )
    page = _text(response)
    assert "au taux de 0,917351" in page
    assert "2 725 238,21" in page


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "fr",
            "dépôt {id} (400 000,00 $US du 2020-03-10) : devise USD dans la table, EUR dans son enregistrement d’audit",
        ),
        (
            "es",
            "depósito {id} (400.000,00 US$ del 2020-03-10): moneda USD en la tabla, EUR en su registro de auditoría",
        ),
    ],
)
def test_a_reconciliation_problem_is_told_in_the_language(app, db, lang, expected):
    deposit = cf.deposit("DEU")
    with without_triggers("deposits"):
        db.session.execute(sa.text("UPDATE deposits SET currency = 'USD' WHERE id = :id"), {"id": deposit.id})
        db.session.expire_all()
        with force_locale(lang):
            problem = reconcile.reconcile_with_audit()
    assert problem.translate(SPACES).startswith(expected.format(id=deposit.id))


@pytest.mark.parametrize(
    ("lang", "closed", "reason"),
    [
        ("fr", "<strong>Clôturé</strong>", "écritures au grand livre ; chiffres enregistrés"),
        ("es", "<strong>Cerrado</strong>", "asientos en el libro mayor; cifras guardadas"),
        ("ar", "<strong>مغلق</strong>", "من قيود دفتر الأستاذ؛ حُفظت الأرقام"),
    ],
)
def test_a_months_history_names_its_steps_in_the_language(client, login, db, lang, closed, reason):
    periods.close_period(None, date(2019, 5, 1))
    account = login("secretariat@example.org")
    account.language = lang
    history = _text(client.get("/contributions/periods/2019-05")).split('class="timeline"', 1)[1]
    assert closed in history
    assert reason in history
    assert "<strong>Close</strong>" not in history
