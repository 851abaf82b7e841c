"""Joint programmes in French, Spanish and Arabic: the programme page, a refused expenditure next to its field, the
notices of a progress report in each recipient's language (reminders never repeated across languages), the dossier;
the portfolio CSV, an export for machines, stays in English."""

import csv
import html
import io
import zipfile
from datetime import date

import pytest
import sqlalchemy as sa

from fundapp.core.errors import DomainError
from fundapp.core.forms import new_submission_key
from fundapp.core.i18n import force_locale
from fundapp.notifications.models import Notification
from fundapp.programmes import dossier, reporting, services
from tests.concept_notes.helpers import org, user
from tests.notifications.languages import speaking
from tests.programmes.helpers import SECRETARIAT, make_programme
from tests.programmes.results_helpers import FOCAL, with_framework

PAGE = {
    "fr": [
        "Flux financiers par organisation",
        "Budget approuvé par catégorie des Nations Unies",
        "Tranches",
        "Prévoir une tranche",
        "Personnel et autres employés",
        "Taux d'exécution",
        "Rapports d'avancement",
    ],
    "es": [
        "Flujos financieros por organización",
        "Presupuesto aprobado por categoría de las Naciones Unidas",
        "Tramos",
        "Prever un tramo",
        "Personal y otros empleados",
        "Tasa de ejecución",
        "Informes de progreso",
    ],
    "ar": [
        "التدفقات المالية حسب المنظمة",
        "الميزانية المعتمدة حسب فئات الأمم المتحدة",
        "الشرائح",
        "تخطيط شريحة",
        "الموظفون وغيرهم من الأفراد",
        "معدل التنفيذ",
        "التقارير المرحلية",
    ],
}


def _active(db):
    programme = make_programme()
    tranche = services.plan_tranche(user(SECRETARIAT), programme, org("UNICEF").id, date(2026, 1, 15), "300000.00")
    services.release_tranche(user(SECRETARIAT), tranche, date(2026, 1, 15))
    db.session.commit()
    return programme


@pytest.mark.parametrize("code", ["fr", "es", "ar"])
def test_the_programme_page_in_each_language(app, db, client, login, code):
    programme = _active(db)
    login(SECRETARIAT)
    with speaking(app, code):
        page = html.unescape(client.get(f"/programmes/{programme.id}").get_data(as_text=True))
    for text in PAGE[code]:
        assert text in page, text
    assert programme.reference in page  # codes stay as they are
    assert "Money flows per organization" not in page
    assert "Plan a tranche" not in page


def test_the_english_page_is_unchanged_after_another_language(app, db, client, login):
    programme = _active(db)
    login(SECRETARIAT)
    with speaking(app, "fr"):
        client.get(f"/programmes/{programme.id}")
    page = html.unescape(client.get(f"/programmes/{programme.id}").get_data(as_text=True))
    assert "Money flows per organization" in page
    assert "Flux financiers" not in page


@pytest.mark.parametrize(
    ("code", "message"),
    [("fr", "Une année de 2026 à 2026."), ("es", "Un año de 2026 a 2026."), ("ar", "سنة من 2026 إلى 2026.")],
)
def test_a_refused_expenditure_says_why_next_to_its_field_in_the_readers_language(
    app, db, client, login, code, message
):
    programme = _active(db)
    login(SECRETARIAT)
    form = {
        "organisation": "UNICEF",
        "year": "2025",  # before the programme started
        "kind": "interim",
        "amount": "1000.00",
        "reported_on": "2026-06-30",
        "submission_key": new_submission_key(),
    }
    with speaking(app, code):
        response = client.post(f"/programmes/{programme.id}/expenditure", data=form)
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code in (200, 422)
    assert message in page
    assert "A year from" not in page


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("fr", "Les tranches destinées à UNICEF totaliseraient 600,000.00 $US, au-delà de son budget approuvé"),
        ("es", "Los tramos para UNICEF sumarían 600,000.00 US$, por encima de su presupuesto aprobado"),
        ("ar", "سيبلغ مجموع الشرائح المخصصة لـ UNICEF 600,000.00 دولار أمريكي، متجاوزًا ميزانيتها المعتمدة"),
    ],
)
def test_a_domain_error_of_the_services_in_each_language(db, code, message):
    programme = _active(db)
    with force_locale(code), pytest.raises(DomainError) as refused:
        services.plan_tranche(user(SECRETARIAT), programme, org("UNICEF").id, date(2026, 7, 1), "300000.00")
    # The amount's separators are the money filter's (core.money.format_money, made locale-aware by the
    # infrastructure's formats): compare the sentence around it.
    text = str(refused.value)
    head, _, tail = message.partition("600,000.00")
    assert text.startswith(head), text
    assert tail in text, text


def _subjects(db, since: int, email: str) -> list[str]:
    person = user(email)
    return list(
        db.session.scalars(
            sa.select(Notification.subject).where(Notification.id > since, Notification.user_id == person.id)
        )
    )


def test_a_returned_report_reaches_each_focal_point_in_their_language(db):
    programme, indicators = with_framework()
    people, policy = indicators
    values = {people.id: ("120", {"sex": {"female": "70", "male": "50"}}), policy.id: ("1", {})}
    report = reporting.start_report(user(FOCAL), programme, "2026-H1")
    reporting.update_report(user(FOCAL), report, "n", "", values, submit_on=date(2026, 7, 1))
    # The profiles' choices (users.language); the people are kept at hand so the session keeps the same objects.
    lead, partner = user(FOCAL), user("applicant4@example.org")  # UNICEF, the lead; ILO, a participating one
    lead.language, partner.language = "es", "ar"
    before = db.session.scalar(sa.select(sa.func.max(Notification.id))) or 0
    reporting.review_report(user(SECRETARIAT), report, False, "Add sources.", date(2026, 7, 2))
    assert _subjects(db, before, FOCAL) == [f"{programme.reference}: informe de progreso 2026-H1 devuelto"]
    assert _subjects(db, before, "applicant4@example.org") == [f"{programme.reference}: أُعيد التقرير المرحلي 2026-H1"]


def test_reminders_in_several_languages_are_not_repeated(db):
    programme, _ = with_framework()
    lead = user(FOCAL)
    lead.language = "fr"
    before = db.session.scalar(sa.select(sa.func.max(Notification.id))) or 0
    assert reporting.remind(date(2026, 8, 2))["overdue"] >= 2
    (subject,) = _subjects(db, before, FOCAL)
    assert subject == f"{programme.reference} : rapport d'avancement 2026-H1 en retard depuis le 31 juil. 2026"
    (english,) = _subjects(db, before, SECRETARIAT)
    assert english == f"{programme.reference}: progress report 2026-H1 overdue since 31 Jul 2026"
    lead.language = "es"  # a change of language is not a new item
    assert reporting.remind(date(2026, 8, 2)) == {"due_soon": 0, "overdue": 0}


def test_the_dossier_readme_in_the_requesters_language(db):
    programme = _active(db)
    with force_locale("fr"):
        content = dossier.build(user(SECRETARIAT), programme)
    readme = dict(content.files)["README.txt"].decode("utf-8")
    assert readme.startswith(f"Dossier du programme {programme.reference} (issu de la note conceptuelle")
    assert "Contenu :" in readme
    assert zipfile.ZipFile(io.BytesIO(dossier.zip_bytes(content))).namelist()[0] == "README.txt"


def test_the_portfolio_csv_stays_in_english(app, db, client, login):
    _active(db)
    login(SECRETARIAT)
    with speaking(app, "fr"):
        text = client.get("/programmes.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][0] == "reference"
    assert {row[3] for row in rows[1:]} == {"Active"}
