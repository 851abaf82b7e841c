"""The committee in French, Spanish and Arabic: a page, refused actions (domain errors and their flashes), the
decision rules' findings, and the minutes PDF come out in the reader's language; stored records stay English."""

import io

import pytest
from flask_babel import force_locale
from pypdf import PdfReader

from fundapp.committee import services
from fundapp.committee.models import ItemKind
from fundapp.committee.rules import Vote
from fundapp.committee.services import active_seats
from fundapp.core.errors import DomainError, NotAllowed
from tests.committee.decision_helpers import meeting_in_session, reviewed_note, vote_all
from tests.concept_notes.helpers import user

CHAIR = "chair@example.org"
SECRETARIAT = "secretariat@example.org"
HEADERS = {"fr": "fr-FR,fr;q=0.9", "es": "es-ES,es;q=0.9", "ar": "ar"}


def _text(response) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("fr", ["Comité de pilotage", "Sièges votants", "Quorum", "7 sur 12", "la présidence plus une majorité"]),
        ("es", ["Comité Directivo", "Puestos con voto", "Quórum", "7 de 12", "la Presidencia más una mayoría"]),
        ("ar", ["اللجنة التوجيهية", "المقاعد المصوِّتة", "النصاب القانوني", "7 من أصل 12", "توافق الآراء"]),
    ],
)
def test_the_committee_page_speaks_the_readers_language(client, login, committee, lang, expected):
    login("member6@example.org")
    page = client.get("/committee/members", headers={"Accept-Language": HEADERS[lang]}).get_data(as_text=True)
    for text in expected:
        assert text in page, (lang, text)
    for english in ("Who sits on the steering committee", "Voting seats", "Decision rule", "Scoring criteria"):
        assert english not in page, (lang, english)


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("fr", "Vous n&#39;êtes pas enregistré comme présent : demandez à la présidence"),
        ("es", "No consta como presente: pida a la Presidencia que registre su asistencia."),
        ("ar", "لم تُسجَّل حاضرًا: اطلب من الرئيس تسجيل حضورك."),
    ],
)
def test_a_refused_vote_is_explained_in_the_voters_language(db, client, login, lang, message):
    note = reviewed_note()
    present = [s for s in active_seats() if s.user.email != "member4@example.org"]
    item = services.add_item(user(SECRETARIAT), meeting_in_session(present=present), ItemKind.endorsement, note)
    login("member4@example.org")
    response = client.post(
        f"/committee/items/{item.id}/vote",
        data={"vote": "approve"},
        headers={"Accept-Language": HEADERS[lang]},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert message in page
    assert "You are not recorded as present" not in page
    assert item.votes == []


@pytest.mark.parametrize(
    ("lang", "refused", "missing"),
    [
        ("fr", "Refusé : le vote n'a pas abouti.", "Votes manquants : "),
        ("es", "Rechazado: la votación no ha prosperado.", "Faltan los votos de "),
        ("ar", "مرفوض: لم يُعتمد التصويت.", "أصوات ناقصة من "),
    ],
)
def test_a_refused_decision_gives_the_rules_finding_in_the_chairs_language(db, lang, refused, missing):
    note = reviewed_note()
    item = services.add_item(user(SECRETARIAT), meeting_in_session(), ItemKind.endorsement, note)
    services.cast_vote(user("member1@example.org"), item, Vote.approve)
    with force_locale(lang), pytest.raises(DomainError) as exc:
        services.record_decision(user(CHAIR), item, services.DecisionInput("endorse"))
    assert str(exc.value).startswith(refused)
    assert missing in str(exc.value)


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("fr", "Seule la présidence enregistre les décisions du Comité."),
        ("es", "Solo la Presidencia registra las decisiones del Comité."),
        ("ar", "لا يسجّل قرارات اللجنة إلا الرئيس."),
    ],
)
def test_a_refused_action_raises_its_reason_in_the_actors_language(db, lang, message):
    note = reviewed_note()
    item = services.add_item(user(SECRETARIAT), meeting_in_session(), ItemKind.endorsement, note)
    with force_locale(lang), pytest.raises(NotAllowed) as exc:
        services.record_decision(user("member1@example.org"), item, services.DecisionInput("endorse"))
    assert str(exc.value) == message


def _decided_and_closed_meeting():
    note = reviewed_note()
    meeting = meeting_in_session()
    item = services.add_item(user(SECRETARIAT), meeting, ItemKind.endorsement, note)
    vote_all(item)
    services.record_decision(user(CHAIR), item, services.DecisionInput("endorse", rationale="Strong joint design."))
    services.close_meeting(user(CHAIR), meeting)
    return meeting, item


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "fr",
            ["Présence et quorum", "Décisions", "Décision : Entérinée et versée dans la réserve", "Justification :"],
        ),
        (
            "es",
            ["Asistencia y quórum", "Decisiones", "Decisión: Respaldada e incorporada a la cartera", "Justificación:"],
        ),
    ],
)
def test_the_minutes_pdf_is_written_in_the_readers_language(db, client, login, lang, expected):
    meeting, _item = _decided_and_closed_meeting()
    db.session.commit()
    login(SECRETARIAT)
    response = client.get(f"/committee/meetings/{meeting.id}/minutes.pdf", headers={"Accept-Language": HEADERS[lang]})
    assert response.status_code == 200
    text = " ".join(_text(response).split())
    for phrase in expected:
        assert phrase in text, (lang, phrase)
    assert "Strong joint design." in text  # what people wrote stays as written
    for english in ("Attendance and quorum", "Decisions", "Endorsed into the pipeline"):
        assert english not in text, (lang, english)


def test_the_minutes_pdf_in_arabic_carries_arabic_text(db, client, login):
    """The title (document metadata, read as Unicode) is Arabic and no English heading is left; the page text
    itself depends on the PDF font the infrastructure chooses for Arabic."""
    meeting, _item = _decided_and_closed_meeting()
    db.session.commit()
    login(SECRETARIAT)
    response = client.get(f"/committee/meetings/{meeting.id}/minutes.pdf", headers={"Accept-Language": "ar"})
    reader = PdfReader(io.BytesIO(response.data))
    assert reader.metadata.title == f"محضر: {meeting.title}"
    text = _text(response)
    for english in ("Attendance and quorum", "Decisions", "Decision:", "Rationale", "Endorsed into the pipeline"):
        assert english not in text


def test_records_stay_in_the_default_language_whoever_decides(db):
    """The rule text kept with a decision and the minutes' quorum are stored values: English, as the audit."""
    note = reviewed_note()
    meeting = meeting_in_session()
    item = services.add_item(user(SECRETARIAT), meeting, ItemKind.endorsement, note)
    vote_all(item)
    with force_locale("fr"):
        services.record_decision(user(CHAIR), item, services.DecisionInput("endorse"))
        services.close_meeting(user(CHAIR), meeting)
    assert item.rule_text.startswith("Passed by consensus (")
    assert meeting.quorum_text.startswith("Quorum: ")
    assert "voting seats present, the chair present" in meeting.quorum_text


@pytest.mark.parametrize(
    ("lang", "name"),
    [
        ("fr", "Pertinence au regard du Pacte mondial et du domaine thématique"),
        ("es", "Pertinencia respecto del Pacto Mundial y el área temática"),
        ("ar", "الصلة بالاتفاق العالمي والمجال المواضيعي"),
    ],
)
def test_the_scoring_criteria_keep_their_official_names_in_each_language(client, login, committee, lang, name):
    """The criteria are reference data: their names come from the fund's file per language, not from English."""
    login("member6@example.org")
    page = client.get("/committee/members", headers={"Accept-Language": HEADERS[lang]}).get_data(as_text=True)
    assert name in page
    assert "Relevance to the Global Compact" not in page
