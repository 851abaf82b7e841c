"""Concept notes in French, Spanish and Arabic: the note's page, a refused rule, and the Compact's own names.

The tests choose the language through Flask-Babel's locale selector (the language switcher sets it in the app);
every other test runs in English.
"""

import pytest
import sqlalchemy as sa
from flask import g

from fundapp.concept_notes import services
from fundapp.core.errors import DomainError
from fundapp.core.i18n import force_locale
from fundapp.reference.models import GcmObjective, GuidingPrinciple, ThematicArea
from tests.concept_notes.helpers import make_call, make_note, user

#: What each language shows: the page's headings, the Compact's objective 7 and principle (g), a refusal.
EXPECTED = {
    "fr": {
        "headings": ["Résumé", "Historique des statuts", "Principes directeurs", "Budget (USD)"],
        "objective_7": "S'attaquer aux facteurs de vulnérabilité liés aux migrations et les réduire",
        "principle_g": "Prise en compte de la problématique femmes-hommes",
        "area_ta4": "Faciliter la migration régulière et le travail décent",
        "refusal": "Un appel doit avoir un titre.",
    },
    "es": {
        "headings": ["Resumen", "Cronología de estados", "Principios rectores", "Presupuesto (USD)"],
        "objective_7": "Abordar y reducir las vulnerabilidades en la migración",
        "principle_g": "Perspectiva de género",
        "area_ta4": "Facilitar la migración regular y el trabajo decente",
        "refusal": "Una convocatoria necesita un título.",
    },
    "ar": {
        "headings": ["الملخص", "التسلسل الزمني للحالات", "المبادئ التوجيهية", "الميزانية (بدولارات الولايات المتحدة)"],
        "objective_7": "معالجة أوجه الضعف في الهجرة والحد منها",
        "principle_g": "مراعاة الاعتبارات الجنسانية",
        "area_ta4": "تيسير الهجرة النظامية والعمل اللائق",
        "refusal": "يجب أن يكون للدعوة عنوان.",
    },
}


@pytest.fixture
def speak(app, monkeypatch):
    """Requests read in the given language (what the switcher's choice does)."""

    def choose(language: str) -> None:
        monkeypatch.setattr(app.extensions["babel"], "locale_selector", lambda: language)
        # The test's application context outlives each request: forget the language it settled on.
        g.pop("_flask_babel", None)

    yield choose
    g.pop("_flask_babel", None)  # the next test starts in English again


@pytest.mark.parametrize("language", list(EXPECTED))
def test_note_page_in_the_readers_language(db, client, login, speak, language):
    note = make_note(submit=True)
    db.session.commit()
    login("applicant@example.org")
    speak(language)
    page = client.get(f"/concept-notes/{note.id}").get_data(as_text=True)
    expected = EXPECTED[language]
    for heading in expected["headings"]:
        assert heading in page
    assert expected["principle_g"] in page
    assert expected["area_ta4"] in page  # the note's thematic area, by its official name
    assert "Guiding principles" not in page
    assert "Status timeline" not in page


@pytest.mark.parametrize("language", list(EXPECTED))
def test_refused_rule_in_the_readers_language(app, db, language):
    data = services.CallData(title="", opens_on=None, closes_on=None, is_rolling=True, envelope=0, thematic_area_ids=[])
    with app.test_request_context(), force_locale(language), pytest.raises(DomainError) as refused:
        services.create_call(user("secretariat@example.org"), data)
    assert refused.value.message == EXPECTED[language]["refusal"]


@pytest.mark.parametrize("language", list(EXPECTED))
def test_submission_problems_in_the_readers_language(app, db, language):
    note = make_note(title="")
    with app.test_request_context(), force_locale(language):
        problems = services.check_submission(note, make_call().opens_on)
    english = "Give the note a title."
    assert problems["title"]
    assert problems["title"][0] != english


@pytest.mark.parametrize("language", list(EXPECTED))
def test_compact_names_in_the_readers_language(app, db, language):
    objective = db.session.scalar(sa.select(GcmObjective).where(GcmObjective.number == 7))
    principle = db.session.scalar(sa.select(GuidingPrinciple).where(GuidingPrinciple.code == "g"))
    area = db.session.scalar(sa.select(ThematicArea).where(ThematicArea.code == "TA4"))
    with app.test_request_context(), force_locale(language):
        assert objective.local_title == EXPECTED[language]["objective_7"]
        assert objective.label == f"7. {EXPECTED[language]['objective_7']}"
        assert principle.local_name == EXPECTED[language]["principle_g"]
        assert area.local_name.startswith(EXPECTED[language]["area_ta4"])
    # English stays the database's own name, and str() stays English for stored and exported text.
    with app.test_request_context(), force_locale("en"):
        assert objective.local_title == objective.title == "Address and reduce vulnerabilities in migration"
    assert str(objective) == "7. Address and reduce vulnerabilities in migration"


def test_a_record_the_file_does_not_know_is_shown_in_english(app, db):
    area = ThematicArea(code="TA9", name="Climate mobility", position=9)
    db.session.add(area)
    db.session.flush()
    with app.test_request_context(), force_locale("fr"):
        assert area.local_name == "Climate mobility"


def test_the_pdf_is_in_the_readers_language(db, client, login, speak):
    note = make_note(submit=True)
    db.session.commit()
    login("applicant@example.org")
    speak("es")
    response = client.get(f"/concept-notes/{note.id}/pdf")
    assert response.status_code == 200
    assert response.data.startswith(b"%PDF")
