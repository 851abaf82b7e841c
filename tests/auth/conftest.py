import pytest

from tests.conftest import CommittingClient


@pytest.fixture
def new_client(app, db):
    """Return a callable making another browser (its own cookies) on the test's transaction."""
    return lambda: CommittingClient(app, app.response_class, use_cookies=True)


@pytest.fixture
def second_client(new_client):
    return new_client()


@pytest.fixture
def two_factor_required(app, monkeypatch):
    """Tests turn the requirement on: administrators, the secretariat and the committee need a second factor."""
    monkeypatch.setitem(
        app.config, "TWO_FACTOR_REQUIRED_ROLES", ("admin", "secretariat", "committee_member", "committee_chair")
    )
