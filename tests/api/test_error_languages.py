"""API errors: a stable `code` and `status` for programs, a `message` for people in the Accept-Language asked."""

import pytest
from flask_babel import force_locale

from fundapp.api import tokens
from fundapp.core.errors import DomainError

CASES = [
    ("/api/v1/me", 401, "unauthorized"),
    ("/api/v1/summary?colour=blue", 400, "bad_request"),
    ("/api/v1/funding-status?as_of=soon", 400, "bad_request"),
    ("/api/v1/nothing-here", 404, "not_found"),
]


def _error(client, path: str, language: str | None = None) -> dict:
    headers = {"Accept-Language": language} if language else {}
    return client.get(path, headers=headers).get_json()["error"]


@pytest.mark.parametrize(("path", "status", "code"), CASES)
def test_an_error_keeps_its_status_and_code_in_every_language(client, path, status, code):
    for language in (None, "fr", "es", "ar"):
        error = _error(client, path, language)
        assert (error["status"], error["code"]) == (status, code)


@pytest.mark.parametrize(
    ("language", "unauthorized", "unknown", "not_found"),
    [
        (
            None,
            "Send a personal API token: Authorization: Bearer <token>.",
            "Unknown query parameter 'colour'; this endpoint takes: ",
            "Nothing was found at this address.",
        ),
        (
            "fr-FR,fr;q=0.9,en;q=0.5",
            "Envoyez un jeton d'API personnel : Authorization: Bearer <token>.",
            "Paramètre de requête inconnu 'colour' ; ce point d'accès accepte : ",
            "Rien n'a été trouvé à cette adresse.",
        ),
        (
            "es",
            "Envíe un token de API personal: Authorization: Bearer <token>.",
            "Parámetro de consulta desconocido 'colour'; este punto de acceso admite: ",
            "No se encontró nada en esta dirección.",
        ),
        (
            "ar",
            "أرسل رمز واجهة برمجة تطبيقات شخصيًا: Authorization: Bearer <token>.",
            "معامل استعلام غير معروف 'colour'؛ تقبل نقطة الوصول هذه: ",
            "لم يُعثر على أي شيء في هذا العنوان.",
        ),
    ],
)
def test_the_message_follows_accept_language(client, language, unauthorized, unknown, not_found):
    assert _error(client, "/api/v1/me", language)["message"] == unauthorized
    assert _error(client, "/api/v1/summary?colour=blue", language)["message"].startswith(unknown)
    assert _error(client, "/api/v1/nothing-here", language)["message"] == not_found


def test_a_language_the_fund_does_not_speak_gets_english(client):
    assert _error(client, "/api/v1/me", "de-DE,de;q=0.9")["message"].startswith("Send a personal API token")


def test_the_api_ignores_the_switchers_cookie_and_the_profile(client, login):
    client.post("/language", data={"language": "fr"})
    assert _error(client, "/api/v1/me")["message"].startswith("Send a personal API token")
    assert _error(client, "/api/v1/me", "es")["message"].startswith("Envíe")


def test_a_parameter_error_names_the_parameter_and_value_as_sent(client):
    message = _error(client, "/api/v1/funding-status?as_of=soon", "fr")["message"]
    assert message == "as_of doit être une date écrite AAAA-MM-JJ (YYYY-MM-DD), et non 'soon'."


def test_the_documentation_page_follows_the_switcher_like_any_page(client):
    client.post("/language", data={"language": "es"})
    page = client.get("/api/v1/docs", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert '<html lang="es"' in page.get_data(as_text=True)


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("fr", "Nommez le jeton d'après l'endroit où vous l'utilisez."),
        ("es", "Dé al token el nombre del lugar donde lo usa."),
        ("ar", "سمِّ الرمز باسم المكان الذي تستخدمه فيه."),
    ],
)
def test_a_refused_token_is_explained_in_the_language(app, db, user, lang, message):
    with force_locale(lang), pytest.raises(DomainError) as refused:
        tokens.create_token(user("donor@example.org"), "  ")
    assert refused.value.message == message
