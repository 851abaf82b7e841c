"""Configuration classes. They only read the environment; the factory decides what is fatal."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent
#: The instance folder (default SQLite database, development secret key, uploads): INSTANCE_PATH moves it.
INSTANCE = Path(os.environ.get("INSTANCE_PATH") or ROOT / "instance")
#: The day the demo fund's story ends (fundapp/demo/story.py DEMO_TODAY): the demo instance's clock stays on it.
DEMO_TODAY = "2021-11-30"


def _roles(value: str) -> tuple[str, ...]:
    """A list of role names from the environment: commas or spaces between them ("" is none)."""
    return tuple(name for name in value.replace(",", " ").split() if name)


#: Who must sign in with a second factor unless TWO_FACTOR_REQUIRED_ROLES says otherwise.
STAFF_ROLES = "admin,secretariat,committee_member,committee_chair"


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
    #: SQLite only: seconds a writer waits for another writer's lock before giving up ("database is locked").
    SQLITE_BUSY_TIMEOUT = float(os.environ.get("SQLITE_BUSY_TIMEOUT", "30"))
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    #: Strict-Transport-Security max-age in seconds (two years); 0 sends no header (plain-HTTP development).
    HSTS_MAX_AGE = int(os.environ.get("HSTS_MAX_AGE", str(2 * 365 * 24 * 3600)))
    PERMANENT_SESSION_LIFETIME = 8 * 3600
    WTF_CSRF_TIME_LIMIT = None  # tied to the session instead; long forms must not expire mid-edit
    MAX_CONTENT_LENGTH = 25 * 1024 * 1024
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER") or str(INSTANCE / "uploads")
    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_SENDER = os.environ.get("MAIL_SENDER", "fundapp@localhost")
    MAIL_TIMEOUT = int(os.environ.get("MAIL_TIMEOUT", "10"))
    #: Links in emails (invitations, password resets, notifications) start with this, never with the
    #: request's Host header (which a client chooses). Required in production when MAIL_SERVER is set.
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL")
    #: How many reverse proxies in front of the app set X-Forwarded-For/-Proto (0: the app faces clients
    #: directly). The per-address throttling needs the client's address, not the proxy's.
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
    #: A signed-in session ends after this long without a request (the absolute limit is
    #: PERMANENT_SESSION_LIFETIME, counted from the sign-in).
    SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES", "120"))
    #: Sign-in throttling per account and address, without lockout: after LOGIN_FREE_FAILURES failures
    #: from one address for one account, each further attempt from that address waits LOGIN_DELAY_SECONDS,
    #: doubled at each failure, at most LOGIN_MAX_DELAY_SECONDS. Other addresses are not slowed.
    LOGIN_FREE_FAILURES = 3
    LOGIN_DELAY_SECONDS = 5
    LOGIN_MAX_DELAY_SECONDS = 900
    #: Failures older than this are forgotten.
    LOGIN_FAILURE_WINDOW_HOURS = 24
    #: Per-address limits over every account (Flask-Limiter, counters in the database so that every
    #: gunicorn worker and host sees them). Failed sign-ins, codes and password re-entries count
    #: towards SIGN_IN_ADDRESS_LIMIT; every "forgot password" request towards EMAIL_ADDRESS_LIMIT.
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "fundapp+db://"
    SIGN_IN_ADDRESS_LIMIT = os.environ.get("SIGN_IN_ADDRESS_LIMIT", "30 per 10 minutes;300 per day")
    EMAIL_ADDRESS_LIMIT = os.environ.get("EMAIL_ADDRESS_LIMIT", "10 per hour")
    #: Password policy: at least this many characters, and zxcvbn's strength score at least this (0–4).
    PASSWORD_MIN_LENGTH = 12
    PASSWORD_MIN_SCORE = 3
    #: Invitation links work for this long, password-reset links for this long; each works once.
    INVITATION_VALID_HOURS = 72
    PASSWORD_RESET_VALID_MINUTES = 60
    #: "Forgot password" answers after at least this long whether or not the address has an account
    #: (the email is sent before the answer, so the answer must not come sooner when there is one).
    PASSWORD_RESET_ANSWER_SECONDS = 1.0
    #: Roles whose holders must sign in with a second factor (TOTP app or recovery code).
    TWO_FACTOR_REQUIRED_ROLES = _roles(os.environ.get("TWO_FACTOR_REQUIRED_ROLES", STAFF_ROLES))
    #: The name authenticator apps show beside the account.
    TWO_FACTOR_ISSUER = os.environ.get("TWO_FACTOR_ISSUER", "fundapp")
    #: argon2 cost; tests lower it because hashing dominates fixture time.
    PASSWORD_HASH_TIME_COST = 3
    PASSWORD_HASH_MEMORY_COST = 65536
    REFERENCE_DATA_FILE = str(ROOT / "fundapp" / "reference" / "data" / "migration-mptf.json")
    #: Funding scenarios: the best-score solver's time limit (seconds) and threads (OR-Tools CP-SAT).
    SCENARIO_TIME_LIMIT_SECONDS = int(os.environ.get("SCENARIO_TIME_LIMIT_SECONDS", "5"))
    SCENARIO_SOLVER_WORKERS = int(os.environ.get("SCENARIO_SOLVER_WORKERS", "2"))
    #: Keep the public figures (transparency page, summary API) in memory until the records change (core.cache).
    PUBLIC_FIGURES_CACHE = os.environ.get("PUBLIC_FIGURES_CACHE", "1") not in ("0", "false", "no")
    #: Where the IATI file is kept between changes of the records (fundapp/reports/iati.py), when
    #: PUBLIC_FIGURES_CACHE is on.
    EXPORT_CACHE_FOLDER = os.environ.get("EXPORT_CACHE_FOLDER") or str(INSTANCE / "exports")
    #: IATI organisation identifier of the reporting organisation (the administrative agent).
    IATI_REPORTING_ORG_REF = os.environ.get("IATI_REPORTING_ORG_REF", "XM-DAC-41114")
    #: Pin the instance's date (YYYY-MM-DD; core/clock.py): every page, report and rule sees that day. Empty or
    #: unset in production: the real date.
    FIXED_TODAY = os.environ.get("FIXED_TODAY") or None
    #: Key of the audit chain's HMAC: required in production, never stored in the database.
    AUDIT_HMAC_KEY = os.environ.get("AUDIT_HMAC_KEY")
    #: Append-only file outside the database where every audit checkpoint is also written (empty: none).
    AUDIT_ANCHOR_FILE = os.environ.get("AUDIT_ANCHOR_FILE", str(INSTANCE / "audit-anchors.log"))
    #: Audit rows between two automatic checkpoints.
    AUDIT_CHECKPOINT_EVERY = int(os.environ.get("AUDIT_CHECKPOINT_EVERY", "1000"))
    #: Where `flask backup create` writes when given no file name.
    BACKUP_FOLDER = os.environ.get("BACKUP_FOLDER") or str(INSTANCE / "backups")
    #: Directory of PostgreSQL's client programs (pg_dump, pg_restore) for `flask backup`; default: the
    #: server's major version under /usr/lib/postgresql, else the PATH.
    PG_BIN_DIR = os.environ.get("PG_BIN_DIR")


class DevelopmentConfig(Config):
    """scripts/run: plain HTTP on loopback, so cookies cannot be Secure."""

    ENV_NAME = "development"
    DEBUG = False
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL") or f"http://127.0.0.1:{os.environ.get('PORT', '5000')}"
    #: The demo's published sign-ins work with the password alone (set the variable to require 2FA).
    TWO_FACTOR_REQUIRED_ROLES = _roles(os.environ.get("TWO_FACTOR_REQUIRED_ROLES", ""))
    HSTS_MAX_AGE = 0
    #: scripts/run serves the demo fund as it stood on 30 November 2021, so its clock stays on that day (nothing
    #: falsely overdue) and every page shows a banner saying so. FIXED_TODAY="" runs on the real date.
    FIXED_TODAY = os.environ.get("FIXED_TODAY", DEMO_TODAY) or None


class TestConfig(Config):
    """The test suite: SQLite file per run unless TEST_DATABASE_URL points at PostgreSQL."""

    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "test-secret-key"
    WTF_CSRF_ENABLED = False
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    HSTS_MAX_AGE = 0
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL") or "sqlite://"
    AUDIT_HMAC_KEY = "test-audit-hmac-key-not-secret-0123456789"
    #: Tests roll their transactions back: a file would keep anchors of rows that never existed.
    AUDIT_ANCHOR_FILE = ""
    PASSWORD_HASH_TIME_COST = 1
    PASSWORD_HASH_MEMORY_COST = 1024
    PUBLIC_BASE_URL = "http://localhost"
    #: The real date, whatever the shell says: tests freeze the clock themselves (core.clock.frozen).
    FIXED_TODAY = None
    #: Tests that need them turn these on: the per-address limiter writes through its own connections,
    #: which the per-test rolled-back transaction cannot hold.
    TWO_FACTOR_REQUIRED_ROLES = ()
    RATELIMIT_ENABLED = False
    PASSWORD_RESET_ANSWER_SECONDS = 0.0
    #: Rolled-back tests reuse audit ids, the cache's version: tests that need the cache turn it on.
    PUBLIC_FIGURES_CACHE = False


CONFIGS = {"production": Config, "development": DevelopmentConfig, "testing": TestConfig}
