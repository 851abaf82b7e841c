"""Configuration classes. They only read the environment; the factory decides what is fatal."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent
INSTANCE = ROOT / "instance"


def _database_url(default: str) -> str:
    url = os.environ.get("DATABASE_URL") or default
    # psycopg 3 is the driver we ship; accept the common short forms too.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Config:
    """Production defaults: everything secure unless a subclass relaxes it."""

    ENV_NAME = "production"
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = _database_url(f"sqlite:///{INSTANCE / 'fundapp.sqlite3'}")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    PERMANENT_SESSION_LIFETIME = 8 * 3600
    WTF_CSRF_TIME_LIMIT = None  # tied to the session instead; long forms must not expire mid-edit
    MAX_CONTENT_LENGTH = 25 * 1024 * 1024
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER") or str(INSTANCE / "uploads")
    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_SENDER = os.environ.get("MAIL_SENDER", "fundapp@localhost")
    #: Sign-in throttling: this many failures for one account within the window lock further attempts.
    LOGIN_MAX_FAILURES = 5
    LOGIN_FAILURE_WINDOW_MINUTES = 15
    #: argon2 cost; tests lower it because hashing dominates fixture time.
    PASSWORD_HASH_TIME_COST = 3
    PASSWORD_HASH_MEMORY_COST = 65536
    REFERENCE_DATA_FILE = str(ROOT / "fundapp" / "reference" / "data" / "migration-mptf.json")
    #: Funding scenarios: the best-score solver's time limit (seconds) and threads (OR-Tools CP-SAT).
    SCENARIO_TIME_LIMIT_SECONDS = int(os.environ.get("SCENARIO_TIME_LIMIT_SECONDS", "5"))
    SCENARIO_SOLVER_WORKERS = int(os.environ.get("SCENARIO_SOLVER_WORKERS", "2"))
    #: IATI organisation identifier of the reporting organisation (the administrative agent).
    IATI_REPORTING_ORG_REF = os.environ.get("IATI_REPORTING_ORG_REF", "XM-DAC-41114")


class DevelopmentConfig(Config):
    """scripts/run: plain HTTP on loopback, so cookies cannot be Secure."""

    ENV_NAME = "development"
    DEBUG = False
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False


class TestConfig(Config):
    """The test suite: SQLite file per run unless TEST_DATABASE_URL points at PostgreSQL."""

    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "test-secret-key"
    WTF_CSRF_ENABLED = False
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL") or "sqlite://"
    PASSWORD_HASH_TIME_COST = 1
    PASSWORD_HASH_MEMORY_COST = 1024


CONFIGS = {"production": Config, "development": DevelopmentConfig, "testing": TestConfig}
