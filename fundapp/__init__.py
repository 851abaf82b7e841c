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


def register_secret_key(app: Flask) -> None:
    """Refuse to run without a secret key except in development and tests.

    Development keeps a random key in instance/ so sessions survive a restart of scripts/run.
    """
    if app.config.get("SECRET_KEY"):
        return
    env = app.config.get("ENV_NAME")
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


def register_logging(app: Flask) -> None:
    """LOG_LEVEL (default WARNING) for fundapp's own loggers; audit lines are INFO."""
    if not app.testing:
        logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        logging.getLogger("fundapp").setLevel(os.environ.get("LOG_LEVEL", "WARNING").upper())


def register_extensions(app: Flask) -> None:
    from fundapp.core.db import configure_engine_events
    from fundapp.core.extensions import csrf, db, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    with app.app_context():
        configure_engine_events(db.engine)


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


def register_commands(app: Flask) -> None:
    """CLI groups that are not a blueprint's own (`flask <blueprint> …` commands attach to their blueprint)."""
    from fundapp.auth.cli import users_cli
    from fundapp.core.cli import register_cli
    from fundapp.demo.cli import demo_cli
    from fundapp.reference.cli import reference_cli

    register_cli(app)
    for group in (reference_cli, demo_cli, users_cli):
        app.cli.add_command(group)
