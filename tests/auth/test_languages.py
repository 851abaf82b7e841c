"""Accounts in the reader's language: the sign-in page, the switcher, and the emails people receive."""

import io
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from pypdf import PdfReader

from fundapp.auth import resets
from fundapp.auth.forms import ForgotPasswordForm
from fundapp.contributions import services as contributions
from fundapp.core.i18n import _l
from fundapp.notifications.models import OutboxMessage
from fundapp.notifications.services import notify
from tests.auth.helpers import invite
from tests.contributions import factories as cf

SPACES = str.maketrans({"\u202f": " ", "\xa0": " "})


@pytest.mark.parametrize(
    ("lang", "heading", "label", "forgot"),
    [
        ("fr", "Se connecter", "Mot de passe", "Mot de passe oublié ?"),
        ("es", "Iniciar sesión", "Contraseña", "¿Olvidó su contraseña?"),
        ("ar", "تسجيل الدخول", "كلمة المرور", "هل نسيت كلمة المرور؟"),
    ],
)
def test_the_sign_in_page_in_each_language(client, lang, heading, label, forgot):
    client.post("/language", data={"language": lang, "next": "/login"})
    page = client.get("/login").get_data(as_text=True)
    assert f"<h1>{heading}</h1>" in page
    assert label in page
    assert forgot in page
    assert "Sign in" not in page.split("<main", 1)[1]


def test_an_error_summary_links_each_field_in_the_language(app):
    with app.test_request_context(method="POST", data={"email": ""}), force_locale("fr"):
        form = ForgotPasswordForm()
        form.validate()
        summary = app.jinja_env.from_string('{% from "macros/forms.html" import form_errors %}{{ form_errors(form) }}')
        html = summary.render(form=form)
    assert 'role="alert"' in html
    assert "Veuillez corriger le champ signalé ci-dessous." in html
    assert '<a href="#email">Courriel' in html


def test_a_reset_email_is_written_in_the_recipients_language(db, user, smtp_server, client):
    user("donor2@example.org").language = "es"
    client.post("/language", data={"language": "fr"})  # whoever asks, the account's owner reads it
    resets.request_reset("donor2@example.org", "192.0.2.1")
    outbox = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.to_address == "donor2@example.org"))
    assert outbox.subject == "Restablezca su contraseña"
    assert outbox.body.startswith("Hola, ")
    assert "/password/reset/" in outbox.body


def test_a_reset_email_without_a_chosen_language_is_english(db, smtp_server):
    resets.request_reset("donor3@example.org", "192.0.2.1")
    outbox = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.to_address == "donor3@example.org"))
    assert outbox.subject == "Reset your password"


def test_a_notification_is_written_for_each_recipient_in_their_language(db, user, app):
    french, english = user("applicant@example.org"), user("applicant2@example.org")
    french.language = "fr"
    with app.test_request_context():
        notes = notify([french, english], _l("Sign out"), _l("Reset your password"))
    assert [(n.subject, n.body) for n in notes] == [
        ("Se déconnecter", "Réinitialisez votre mot de passe"),
        ("Sign out", "Reset your password"),
    ]


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).translate(SPACES)


@pytest.mark.parametrize(("lang", "deposits"), [("fr", "1 000 000,00"), ("es", "1.000.000,00")])
def test_a_donors_contribution_report_pdf_follows_their_language(client, login, db, lang, deposits):
    agreement = cf.agreement("DEU", currency="USD", reference="DEU-LANG", amount="3000000.00")
    contributions.record_deposit(None, agreement, Decimal("1000000.00"), date(2020, 3, 10))
    account = login("donor@example.org")
    query = "from=2020-01-01&to=2020-12-31"
    english = _pdf_text(client.get(f"/contributions/donors/{agreement.donor_id}/report.pdf?{query}").data)
    account.language = lang
    localised = _pdf_text(client.get(f"/contributions/donors/{agreement.donor_id}/report.pdf?{query}").data)
    assert "1,000,000.00" in english
    assert deposits in localised
    assert "1,000,000.00" not in localised


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("fr", "Le courriel ou le mot de passe est incorrect."),
        ("es", "El correo electrónico o la contraseña no son correctos."),
        ("ar", "البريد الإلكتروني أو كلمة المرور غير صحيحة."),
    ],
)
def test_a_wrong_password_is_refused_in_the_chosen_language(client, lang, message):
    client.post("/language", data={"language": lang, "next": "/login"})
    page = client.post("/login", data={"email": "nobody@example.org", "password": "wrong-password"})
    assert message in page.get_data(as_text=True)


def test_an_invitation_is_written_in_the_inviting_persons_language(db, smtp_server):
    """The invitee has no profile yet to say their language: the email speaks the administrator's."""
    with force_locale("fr"):
        invite(db.session, "nouvelle.personne@example.org")
    outbox = db.session.scalar(
        sa.select(OutboxMessage).where(OutboxMessage.to_address == "nouvelle.personne@example.org")
    )
    assert outbox.subject == "Votre invitation au site de gestion des subventions du Fonds"
    assert outbox.body.startswith("Bonjour New Person,")
    assert "/welcome/" in outbox.body
