"""Start-up refusals and the account settings: secret key, mail links, the second-factor roles, proxies."""

import pytest
from flask import request

from config import Config, DevelopmentConfig, TestConfig
from fundapp import create_app
from fundapp.core.extensions import db

GOOD_KEY = "k" * 32


@pytest.fixture
def production(tmp_path):
    """Build a production app from overrides; engines disposed afterwards."""
    apps = []

    def _make(**overrides):
        settings = {
            "SECRET_KEY": GOOD_KEY,
            "AUDIT_HMAC_KEY": GOOD_KEY,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db",
            **overrides,
        }
        made = create_app(type("Prod", (Config,), settings))
        apps.append(made)
        return made

    yield _make
    for made in apps:
        with made.app_context():
            db.engine.dispose()


@pytest.mark.parametrize("key", ["x", "a" * 31, "é" * 15])
def test_a_short_production_secret_key_is_refused_at_start_in_one_line(production, key):
    with pytest.raises(RuntimeError) as refused:
        production(SECRET_KEY=key)
    message = str(refused.value)
    assert message.startswith("SECRET_KEY is ")
    assert "at least 32" in message
    assert "\n" not in message


def test_a_32_byte_production_secret_key_starts(production):
    assert production(SECRET_KEY=GOOD_KEY).config["ENV_NAME"] == "production"


def test_production_mail_needs_the_sites_address_for_its_links(production):
    with pytest.raises(RuntimeError, match="PUBLIC_BASE_URL is not set"):
        production(MAIL_SERVER="smtp.example.org", PUBLIC_BASE_URL=None)
    assert production(MAIL_SERVER="smtp.example.org", PUBLIC_BASE_URL="https://fund.example.org")


def test_unknown_roles_in_the_second_factor_setting_are_refused(production):
    with pytest.raises(RuntimeError, match="TWO_FACTOR_REQUIRED_ROLES names unknown roles"):
        production(TWO_FACTOR_REQUIRED_ROLES=("admin", "treasurer"))


def test_production_requires_a_second_factor_of_staff_and_the_demo_does_not():
    assert set(Config.TWO_FACTOR_REQUIRED_ROLES) == {"admin", "secretariat", "committee_member", "committee_chair"}
    assert DevelopmentConfig.TWO_FACTOR_REQUIRED_ROLES == ()
    assert TestConfig.TWO_FACTOR_REQUIRED_ROLES == ()
    assert Config.RATELIMIT_ENABLED
    assert Config.RATELIMIT_STORAGE_URI == "fundapp+db://"


def _client_address() -> str:
    return request.remote_addr or ""


@pytest.mark.parametrize(("proxies", "seen"), [(1, "203.0.113.7"), (0, "10.0.0.2")])
def test_behind_a_trusted_proxy_the_clients_address_is_used(production, proxies, seen):
    app = production(TRUSTED_PROXIES=proxies, RATELIMIT_ENABLED=False)
    app.add_url_rule("/_address", view_func=_client_address)
    response = app.test_client().get(
        "/_address", headers={"X-Forwarded-For": "203.0.113.7"}, environ_base={"REMOTE_ADDR": "10.0.0.2"}
    )
    assert response.get_data(as_text=True) == seen
