"""Notifications in the recipient's language: notify() renders a lazily marked subject and body once per person,
in their profile's language (else the default); the list page and the discussion's rules speak the reader's."""

import html

import pytest
import sqlalchemy as sa

from fundapp.core.errors import DomainError
from fundapp.core.i18n import _l, force_locale
from fundapp.notifications import discussions
from fundapp.notifications.models import Notification
from fundapp.notifications.services import in_every_language, notify
from tests.notifications.languages import speaking

SUBJECT = {
    "en": "JP-0001: new message from Ana",
    "fr": "JP-0001 : nouveau message de Ana",
    "es": "JP-0001: nuevo mensaje de Ana",
    "ar": "JP-0001: رسالة جديدة من Ana",
}


def _subject():
    return _l("%(reference)s: new message from %(author)s", reference="JP-0001", author="Ana")


def test_each_recipient_reads_the_notification_in_their_language(db, user):
    people = {
        code: user(email)
        for code, email in [
            ("fr", "applicant@example.org"),
            ("es", "applicant2@example.org"),
            ("ar", "applicant4@example.org"),
        ]
    }
    for code, person in people.items():
        person.language = code  # the profile's choice (users.language)
    english = user("secretariat@example.org")
    english.language = None
    created = notify([*people.values(), english], _subject(), _l("No message yet."), "/notifications/")
    subjects = {n.user_id: n.subject for n in created}
    bodies = {n.user_id: n.body for n in created}
    for code, person in people.items():
        assert subjects[person.id] == SUBJECT[code]
    assert subjects[english.id] == SUBJECT["en"]
    assert bodies[people["fr"].id] == "Aucun message pour l'instant."
    assert bodies[people["ar"].id] == "لا توجد رسائل بعد."
    assert set(in_every_language(_subject())) == set(SUBJECT.values())
    assert in_every_language("plain") == ["plain"]


def test_a_plain_string_is_sent_as_it_is(db, user):
    person = user("applicant@example.org")
    person.language = "fr"
    (note,) = notify(person, "Exactly this", "and this")
    assert (note.subject, note.body) == ("Exactly this", "and this")


@pytest.mark.parametrize(
    ("code", "title", "empty"),
    [
        ("fr", "Notifications", "Aucune notification."),
        ("es", "Notificaciones", "No hay notificaciones."),
        ("ar", "الإشعارات", "لا توجد إشعارات."),
    ],
)
def test_the_notifications_page_speaks_the_readers_language(app, db, client, login, code, title, empty):
    person = login("donor@example.org")
    db.session.execute(sa.delete(Notification).where(Notification.user_id == person.id))
    with speaking(app, code):
        page = html.unescape(client.get("/notifications/").get_data(as_text=True))
    assert f"<h1>{title}</h1>" in page
    assert empty in page
    assert "No notifications" not in page


@pytest.mark.parametrize(
    ("code", "message"),
    [("fr", "Écrivez un message."), ("es", "Escriba un mensaje."), ("ar", "اكتب رسالة.")],
)
def test_a_refused_message_says_why_in_the_readers_language(db, user, code, message):
    with force_locale(code), pytest.raises(DomainError) as refused:
        discussions.check_message(user("secretariat@example.org"), "   ", readers=[], may_ask=True, may_answer=False)
    assert str(refused.value) == message
