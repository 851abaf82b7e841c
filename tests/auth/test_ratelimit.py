"""The per-address limit over every account (Flask-Limiter) and its storage in the application's database."""

import threading
import uuid

import pytest
import sqlalchemy as sa
from limits.storage import storage_from_string

from fundapp import create_app
from fundapp.auth.models import RateLimitCounter
from fundapp.auth.ratelimit import SCHEME, DatabaseStorage, password_attempt
from fundapp.core.extensions import db as _db
from tests.conftest import build_fund, make_config

TABLE = RateLimitCounter.__table__


@pytest.fixture
def storage(app):
    """The storage on the run's engine (SQLite file or PostgreSQL), its counters removed afterwards."""
    made = storage_from_string(f"{SCHEME}://", engine=_db.engine)
    prefix = f"test-{uuid.uuid4().hex[:8]}"
    yield made, prefix
    with _db.engine.begin() as connection:
        connection.execute(sa.delete(TABLE).where(TABLE.c.key.startswith(prefix)))


def test_the_scheme_names_the_database_storage(storage):
    made, _prefix = storage
    assert isinstance(made, DatabaseStorage)
    assert made.check()


def test_counters_count_within_their_window_and_start_again_after(storage, monkeypatch):
    made, prefix = storage
    key = f"{prefix}/a"
    now = [1_700_000_000_000]
    monkeypatch.setattr(DatabaseStorage, "_now_ms", staticmethod(lambda: now[0]))
    assert made.get(key) == 0
    assert [made.incr(key, 60) for _ in range(3)] == [1, 2, 3]
    assert made.get(key) == 3
    assert made.get_expiry(key) == 1_700_000_060
    now[0] += 59_000
    assert made.incr(key, 60, amount=2) == 5  # same window
    now[0] += 1_000
    assert made.get(key) == 0  # the window ended
    assert made.incr(key, 60) == 1  # a new one starts
    assert made.get_expiry(key) == 1_700_000_120
    made.clear(key)
    assert made.get(key) == 0


def test_prune_removes_ended_windows_only(storage, monkeypatch):
    made, prefix = storage
    now = [1_700_000_000_000]
    monkeypatch.setattr(DatabaseStorage, "_now_ms", staticmethod(lambda: now[0]))
    made.incr(f"{prefix}/short", 10)
    made.incr(f"{prefix}/long", 1000)
    now[0] += 20_000
    made.prune()
    with _db.engine.connect() as connection:
        left = set(connection.scalars(sa.select(TABLE.c.key).where(TABLE.c.key.startswith(prefix))))
    assert left == {f"{prefix}/long"}


@pytest.mark.postgres_only
def test_concurrent_increments_from_many_workers_are_exact(storage):
    """Eight threads (as eight gunicorn workers would) hit one key: every increment counts once."""
    if _db.engine.dialect.name != "postgresql":
        pytest.skip("needs concurrent PostgreSQL connections")
    made, prefix = storage
    key = f"{prefix}/race"
    seen: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(8)

    def worker():
        start.wait(5)
        for _ in range(25):
            value = made.incr(key, 600)
            with lock:
                seen.append(value)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert made.get(key) == 200
    assert sorted(seen) == list(range(1, 201))


# The limiter in an app ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def limited_app(tmp_path_factory):
    """An app with the limiter on, over its own database file: the limiter's counters commit for real,
    in their own transactions, which the per-test rolled-back transaction of the other tests cannot hold."""
    url = f"sqlite:///{tmp_path_factory.mktemp('limited') / 'limited.sqlite3'}"
    app = create_app(
        make_config(
            url, RATELIMIT_ENABLED=True, SIGN_IN_ADDRESS_LIMIT="5 per 10 minutes", EMAIL_ADDRESS_LIMIT="2 per hour"
        )
    )
    build_fund(app)

    @app.route("/_limited_boom", methods=["POST"])
    @password_attempt
    def boom():
        _db.session.execute(sa.text("DELETE FROM rate_limit_counters"))  # undone by the rollback below
        raise RuntimeError("a bug after the count")

    yield app
    with app.app_context():
        _db.engine.dispose()


def _post(client, address: str, email: str, password: str = "wrong-password"):
    return client.post("/login", data={"email": email, "password": password}, environ_base={"REMOTE_ADDR": address})


def test_password_spraying_is_refused_per_address_with_429_and_retry_after(limited_app):
    client = limited_app.test_client()
    for i in range(5):  # five accounts, one guess each: the per-account throttle never sees it
        assert _post(client, "203.0.113.50", f"member{i + 1}@example.org").status_code == 401
    refused = _post(client, "203.0.113.50", "member7@example.org")
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 600
    assert "Too many attempts from your network address" in refused.get_data(as_text=True)
    assert _post(client, "203.0.113.50", "member8@example.org", "fundapp-demo").status_code == 429
    assert _post(client, "198.51.100.60", "member8@example.org", "fundapp-demo").status_code == 302  # another address


def test_only_failures_count_so_a_shared_office_address_keeps_signing_in(limited_app):
    for _ in range(8):
        client = limited_app.test_client()
        assert _post(client, "203.0.113.51", "donor@example.org", "fundapp-demo").status_code == 302


def test_every_forgotten_password_request_counts(limited_app):
    client = limited_app.test_client()
    for _ in range(2):
        response = client.post(
            "/password/forgot", data={"email": "x@example.org"}, environ_base={"REMOTE_ADDR": "203.0.113.52"}
        )
        assert response.status_code == 302
    refused = client.post(
        "/password/forgot", data={"email": "x@example.org"}, environ_base={"REMOTE_ADDR": "203.0.113.52"}
    )
    assert refused.status_code == 429
    assert "Retry-After" in refused.headers


def test_a_request_that_rolls_back_does_not_give_its_attempt_back(limited_app):
    client = limited_app.test_client()
    limited_app.config["PROPAGATE_TEST_ERRORS"] = False
    response = client.post("/_limited_boom", environ_base={"REMOTE_ADDR": "203.0.113.53"})
    assert response.status_code == 500
    with limited_app.app_context(), _db.engine.connect() as connection:
        counted = connection.scalar(sa.select(TABLE.c["count"]).where(TABLE.c.key.contains("203.0.113.53")))
    assert counted == 1


def test_pages_that_are_not_sign_ins_are_not_limited(limited_app):
    client = limited_app.test_client()
    for _ in range(10):
        assert client.get("/login", environ_base={"REMOTE_ADDR": "203.0.113.50"}).status_code == 200


@pytest.mark.parametrize(
    "endpoint",
    [
        "auth.login",
        "auth.login_code",
        "auth.login_setup",
        "home.profile",
        "home.change_email",
        "home.two_factor_setup",
        "home.disable_two_factor",
        "home.new_recovery_codes",
    ],
)
def test_every_view_that_checks_a_password_or_code_counts_towards_the_address_limit(app, endpoint):
    assert getattr(app.view_functions[endpoint], "password_attempt", False)


def test_the_forgotten_password_form_counts_towards_the_email_limit(app):
    assert getattr(app.view_functions["auth.forgot_password"], "email_request", False)
