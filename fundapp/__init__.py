"""fundapp: grant management for a multi-partner trust fund."""

import logging
import os
import secrets
from pathlib import Path

from flask import Flask

from fundapp.core.edge import FundApp

ROOT = Path(__file__).resolve().parent.parent


def create_app(config_object: str | object | None = None) -> Flask:
    """Build the app from a list of register_* steps.

    Without an argument the environment picks the config: FUNDAPP_ENV=development for scripts/run,
    production otherwise (wsgi.py).
    """
    app = FundApp(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "fundapp" / "static"),
        instance_path=str(ROOT / "instance"),
    )
    app.config.from_object(config_object or _config_from_env())
    register_secret_key(app)
    register_audit_key(app)
    register_logging(app)
    register_extensions(app)
    register_url_parsing(app)
    register_blueprints(app)
    register_template_helpers(app)
    register_error_handlers(app)
    register_request_hooks(app)
    register_commands(app)
    return app


def _config_from_env() -> object:
    from config import CONFIGS

    name = os.environ.get("FUNDAPP_ENV", "production")
    if name not in CONFIGS:
        raise RuntimeError(f"FUNDAPP_ENV must be one of {', '.join(CONFIGS)}, not {name!r}")
    return CONFIGS[name]


#: A production SECRET_KEY signs every session cookie: shorter than this, it could be guessed offline.
MIN_SECRET_KEY_BYTES = 32


def register_secret_key(app: Flask) -> None:
    """Refuse to run without a strong secret key except in development and tests, and refuse mail
    links with no PUBLIC_BASE_URL in production. Each refusal is one line that says what to do.

    Development keeps a random key in instance/ so sessions survive a restart of scripts/run.
    """
    env = app.config.get("ENV_NAME")
    key = app.config.get("SECRET_KEY")
    if env == "production":
        _refuse_weak_production_settings(app)
    if key:
        return
    if env == "development":
        key_file = Path(app.instance_path) / "secret_key"
        key_file.parent.mkdir(parents=True, exist_ok=True)
        if not key_file.exists():
            key_file.write_text(secrets.token_hex(32))
            key_file.chmod(0o600)
        app.config["SECRET_KEY"] = key_file.read_text().strip()
        return
    if env != "testing":
        raise RuntimeError("SECRET_KEY is not set: refusing to start outside development and tests.")


def _refuse_weak_production_settings(app: Flask) -> None:
    key = app.config.get("SECRET_KEY")
    if not key:
        raise RuntimeError("SECRET_KEY is not set: refusing to start outside development and tests.")
    size = len(key.encode() if isinstance(key, str) else key)
    if size < MIN_SECRET_KEY_BYTES:
        raise RuntimeError(
            f"SECRET_KEY is {size} bytes long: production needs at least {MIN_SECRET_KEY_BYTES} "
            "(make one with: python -c 'import secrets; print(secrets.token_hex(32))')."
        )
    if app.config.get("MAIL_SERVER") and not app.config.get("PUBLIC_BASE_URL"):
        raise RuntimeError(
            "PUBLIC_BASE_URL is not set: emails with sign-in links need the site's address, "
            "e.g. PUBLIC_BASE_URL=https://fund.example.org."
        )


def register_audit_key(app: Flask) -> None:
    """The audit chain's HMAC key: required in production (a clear error at start-up), kept in instance/ in
    development like the secret key. It never goes into the database, so whoever can rewrite the tables still
    cannot recompute the chain."""
    key = app.config.get("AUDIT_HMAC_KEY")
    env = app.config.get("ENV_NAME")
    if key:
        if env == "production" and len(key) < 32:
            raise RuntimeError("AUDIT_HMAC_KEY is too short: use at least 32 random characters.")
        return
    if env == "development":
        key_file = Path(app.instance_path) / "audit_hmac_key"
        key_file.parent.mkdir(parents=True, exist_ok=True)
        if not key_file.exists():
            key_file.write_text(secrets.token_hex(32))
            key_file.chmod(0o600)
        app.config["AUDIT_HMAC_KEY"] = key_file.read_text().strip()
        return
    if env != "testing":
        raise RuntimeError(
            "AUDIT_HMAC_KEY is not set: refusing to start outside development and tests. The audit log is "
            "chained with this key; set it from your secret store (e.g. `python -c 'import secrets; "
            "print(secrets.token_hex(32))'`) and keep it out of the database and its backups."
        )


def register_logging(app: Flask) -> None:
    """LOG_LEVEL (default WARNING) for fundapp's own loggers; audit lines are INFO."""
    if not app.testing:
        logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        logging.getLogger("fundapp").setLevel(os.environ.get("LOG_LEVEL", "WARNING").upper())


def register_extensions(app: Flask) -> None:
    from fundapp.core import i18n
    from fundapp.core.db import configure_engine_events
    from fundapp.core.extensions import csrf, db, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    i18n.register(app)
    with app.app_context():
        configure_engine_events(db.engine, float(app.config.get("SQLITE_BUSY_TIMEOUT", 30)))


def register_url_parsing(app: Flask) -> None:
    """Bounded ids in every route's path and the NUL guard; before the blueprints add their rules."""
    from fundapp.core import args

    args.register(app)


def register_blueprints(app: Flask) -> None:
    # Imported here so that importing fundapp never pulls in every view.
    from fundapp import (
        api,
        auth,
        committee,
        concept_notes,
        contributions,
        core,
        home,
        notifications,
        programmes,
        reference,
        reports,
        results,
    )

    for module in (
        core,
        auth,
        reference,
        notifications,
        contributions,
        concept_notes,
        committee,
        programmes,
        results,
        reports,
        api,
        home,
    ):
        app.register_blueprint(module.bp)


def register_template_helpers(app: Flask) -> None:
    from fundapp.core.templating import register

    register(app)


def register_error_handlers(app: Flask) -> None:
    from fundapp.core.errors import register_handlers

    register_handlers(app)


def register_request_hooks(app: Flask) -> None:
    from fundapp.core.security import register_headers

    register_headers(app)
    register_proxies(app)


def register_proxies(app: Flask) -> None:
    """Behind TRUSTED_PROXIES reverse proxies, take the client's address and scheme from the headers
    they set (throttling and the session list need the client's address, not the proxy's)."""
    count = int(app.config.get("TRUSTED_PROXIES") or 0)
    if count > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=0)  # type: ignore[method-assign]


def register_commands(app: Flask) -> None:
    """CLI groups that are not a blueprint's own (`flask <blueprint> …` commands attach to their blueprint)."""
    from fundapp.auth.cli import users_cli
    from fundapp.core.cli import register_cli
    from fundapp.demo.cli import demo_cli
    from fundapp.home.cli import overdue_cli
    from fundapp.reference.cli import reference_cli

    register_cli(app)
    for group in (reference_cli, demo_cli, users_cli, overdue_cli):
        app.cli.add_command(group)
