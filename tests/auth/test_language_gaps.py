"""The last English of the accounts: zxcvbn's advice and the strength, invitations in the invitee's language,
the waits of the sign-in throttles."""

import ast
import html
import inspect

import pytest
import sqlalchemy as sa
import zxcvbn.feedback
from flask_babel import force_locale

from fundapp.auth import invitations, passwords, throttle
from fundapp.auth.models import Invitation, User
from fundapp.auth.passwords import WeakPassword
from fundapp.core.errors import DomainError
from fundapp.notifications.models import OutboxMessage
from tests.auth.helpers import STRONG, invite, link_in, organisation

# Password advice --------------------------------------------------------------------------------------------


def _zxcvbn_texts() -> set[str]:
    """Every text zxcvbn's feedback module can return (the strings it passes to gettext)."""
    tree = ast.parse(inspect.getsource(zxcvbn.feedback))
    return {
        ast.literal_eval(node.args[0])
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "_"
    }


def test_every_text_zxcvbn_can_give_has_a_marked_translation():
    assert _zxcvbn_texts() == set(passwords.FEEDBACK)


@pytest.mark.parametrize(
    ("lang", "hint", "strength", "english"),
    [
        ("fr", "C'est l'un des 100 mots de passe les plus courants.", "Solidité : très faible.", "top-100"),
        ("es", "Es una de las 100 contraseñas más comunes.", "Solidez: muy baja.", "top-100"),
        ("ar", "هذه من بين أكثر 100 كلمة مرور شيوعًا.", "القوة: ضعيفة جدًا.", "top-100"),
    ],
)
def test_zxcvbns_advice_and_the_strength_in_the_language(app, lang, hint, strength, english):
    with force_locale(lang), pytest.raises(WeakPassword) as refused:
        passwords.check_password_strength("1234567890", [])
    assert hint in refused.value.message
    assert strength in refused.value.message
    assert english not in refused.value.message


def test_the_strength_is_said_in_english_too(app):
    with pytest.raises(WeakPassword) as refused:
        passwords.check_password_strength("passwordpassword", [])
    assert refused.value.message.startswith("This password is too easy to guess. ")
    assert refused.value.message.endswith(" Strength: very weak.")


def test_a_text_zxcvbn_may_add_later_is_shown_as_it_comes(app):
    with force_locale("fr"):
        assert passwords.hint("Something new") == "Something new."
        assert passwords.hint("Avoid sequences.") == "Évitez les suites."


def test_a_weak_password_in_french_gets_a_french_hint_next_to_the_field(client, db):
    with force_locale("fr"):
        token = invite(db.session, "faible@example.org")
    page = client.post(
        f"/welcome/{token}", data={"name": "Nouvelle Personne", "password": "1234567890", "confirm": "1234567890"}
    )
    assert page.status_code == 422
    text = html.unescape(page.get_data(as_text=True))
    error = text.split('id="password-error">', 1)[1].split("</p>", 1)[0]
    assert error.startswith("Utilisez au moins 12 caractères.")
    assert "Solidité : très faible." in error
    assert "C'est l'un des 100 mots de passe les plus courants." in error
    assert "common password" not in text


# Invitations in the invitee's language ------------------------------------------------------------------------


def _invitation(db, email: str) -> Invitation:
    return db.session.scalar(sa.select(Invitation).where(Invitation.email == email))


def _outbox(db, email: str) -> OutboxMessage:
    return db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.to_address == email))


def test_an_invitation_keeps_the_language_chosen_for_the_invitee(db, user):
    admin = user("admin@example.org")
    sent = invitations.invite(
        admin, "es@example.org", "Persona", organisation(db.session, "UNHCR"), ["applicant"], "es"
    )
    assert sent.invitation.language == "es"


def test_without_a_choice_the_invitation_speaks_the_inviters_current_language(db, user):
    admin = user("admin@example.org")
    with force_locale("ar"):
        sent = invitations.invite(admin, "ar@example.org", "شخص", organisation(db.session, "UNHCR"), ["applicant"])
    assert sent.invitation.language == "ar"
    english = invitations.invite(admin, "en@example.org", "Person", organisation(db.session, "UNHCR"), ["donor"])
    assert english.invitation.language == "en"


def test_an_unknown_language_is_refused(db, user):
    with pytest.raises(DomainError, match="languages offered") as refused:
        invitations.invite(
            user("admin@example.org"), "xx@example.org", "X", organisation(db.session, "UNHCR"), ["applicant"], "de"
        )
    assert refused.value.field == "language"


def test_the_database_refuses_an_unknown_language(db):
    invite(db.session, "check@example.org")
    with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
        db.session.execute(sa.update(Invitation).where(Invitation.email == "check@example.org").values(language="xx"))


@pytest.mark.parametrize(
    ("lang", "subject", "greeting", "role"),
    [
        ("fr", "Votre invitation au site de gestion des subventions du Fonds", "Bonjour Person,", "Donateur"),
        ("es", "Su invitación al sitio de gestión de subvenciones del Fondo", "Hola, Person:", "Donante"),
        ("ar", "دعوتك إلى موقع إدارة المنح التابع للصندوق", "مرحبًا Person،", "الجهة المانحة"),
    ],
)
def test_the_email_is_written_in_the_invitees_language_whatever_the_inviter_reads(
    db, user, smtp_server, lang, subject, greeting, role
):
    admin = user("admin@example.org")
    email = f"{lang}.invitee@example.org"
    with force_locale("en"):  # the administrator reads English
        invitations.invite(admin, email, "Person", organisation(db.session, "UNHCR"), ["donor"], lang)
    outbox = _outbox(db, email)
    assert outbox.subject == subject
    assert outbox.body.startswith(greeting)
    assert role in outbox.body
    assert "invited you" not in outbox.body


def test_resending_writes_again_in_the_invitees_language(db, user, smtp_server):
    admin = user("admin@example.org")
    sent = invitations.invite(admin, "again@example.org", "Person", organisation(db.session, "UNHCR"), ["donor"], "es")
    db.session.execute(sa.delete(OutboxMessage).where(OutboxMessage.to_address == "again@example.org"))
    with force_locale("fr"):
        invitations.resend(admin, sent.invitation)
    assert _outbox(db, "again@example.org").subject.startswith("Su invitación")


def test_the_new_account_reads_the_invitations_language(db):
    with force_locale("es"):
        token = invite(db.session, "cuenta@example.org")
    account = invitations.accept(token, "Cuenta", STRONG)
    assert account.language == "es"


@pytest.mark.parametrize(
    ("lang", "heading", "button"),
    [("fr", "Bienvenue", "Créer mon compte"), ("es", "Bienvenida", "Crear mi cuenta"), ("ar", "مرحبًا", "إنشاء حسابي")],
)
def test_the_welcome_page_is_shown_in_the_invitations_language(client, db, lang, heading, button):
    with force_locale(lang):
        token = invite(db.session, f"welcome.{lang}@example.org")
    page = client.get(f"/welcome/{token}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert f"<h1>{heading}</h1>" in page
    assert button in page
    assert f'lang="{lang}"' in page


def test_the_switchers_choice_still_wins_on_the_welcome_page(client, db):
    with force_locale("fr"):
        token = invite(db.session, "switch@example.org")
    client.post("/language", data={"language": "es", "next": f"/welcome/{token}"})
    page = client.get(f"/welcome/{token}").get_data(as_text=True)
    assert "<h1>Bienvenida</h1>" in page


def test_accepting_keeps_the_language_for_the_sign_in_page(client, db):
    with force_locale("ar"):
        token = invite(db.session, "kept@example.org")
    response = client.post(f"/welcome/{token}", data={"name": "Kept", "password": STRONG, "confirm": STRONG})
    assert response.status_code == 302
    assert "fundapp_language=ar" in response.headers["Set-Cookie"]
    account = db.session.scalar(sa.select(User).where(User.email == "kept@example.org"))
    assert account.language == "ar"
    login_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "تسجيل الدخول" in login_page


def test_the_invite_form_offers_the_languages_with_the_inviters_own_chosen(client, login, db):
    account = login("secretariat@example.org")
    account.language = "fr"
    page = client.get("/admin/invitations/new").get_data(as_text=True)
    form = page.split('<form method="post" class="stacked card"', 1)[1].split("</form>", 1)[0]
    assert 'id="language" name="language"' in form
    assert '<option selected value="fr">Français</option>' in form
    assert '<option value="ar">العربية</option>' in form
    assert "Sa langue" in form


def test_the_invite_form_sends_the_email_in_the_chosen_language(client, login, db, smtp_server):
    login("secretariat@example.org")
    org = organisation(db.session, "UNHCR")
    response = client.post(
        "/admin/invitations/new",
        data={
            "email": "focal.ar@example.org",
            "name": "Focal",
            "organisation_id": org.id,
            "roles": ["applicant"],
            "language": "ar",
        },
    )
    assert response.status_code == 302
    assert _invitation(db, "focal.ar@example.org").language == "ar"
    (message,) = smtp_server.wait_for(1)
    assert message["Subject"] == "دعوتك إلى موقع إدارة المنح التابع للصندوق"
    client.post("/logout")
    page = client.get(link_in(message)).get_data(as_text=True)
    assert 'dir="rtl"' in page


def test_the_invite_form_refuses_a_language_it_does_not_offer(client, login, db):
    login("secretariat@example.org")
    org = organisation(db.session, "UNHCR")
    response = client.post(
        "/admin/invitations/new",
        data={
            "email": "x@example.org",
            "name": "X",
            "organisation_id": org.id,
            "roles": ["applicant"],
            "language": "de",
        },
    )
    assert response.status_code == 422
    assert _invitation(db, "x@example.org") is None


# Waits ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "seconds", "minutes"),
    [("fr", "20 secondes", "3 minutes"), ("es", "20 segundos", "3 minutos"), ("ar", "20 ثانية", "3 دقائق")],
)
def test_a_wait_is_said_in_the_language(app, lang, seconds, minutes):
    with force_locale(lang):
        assert throttle.describe(20) == seconds
        assert throttle.describe(150) == minutes
        assert seconds in throttle.message(20)


def test_the_invitations_list_says_each_invitations_language(client, login, db):
    with force_locale("es"):
        invite(db.session, "lista@example.org")
    login("admin@example.org")
    page = client.get("/admin/invitations").get_data(as_text=True)
    row = page.split("lista@example.org", 1)[1].split("</tr>", 1)[0]
    assert '<span lang="es">Español</span>' in row
    assert ">Pending</span>" in row


def test_the_invitations_list_names_the_statuses_in_the_language(client, login, db):
    invite(db.session, "statut@example.org")
    account = login("admin@example.org")
    account.language = "fr"
    page = client.get("/admin/invitations").get_data(as_text=True)
    row = page.split("statut@example.org", 1)[1].split("</tr>", 1)[0]
    assert '<span class="badge badge-pending">En attente</span>' in row
