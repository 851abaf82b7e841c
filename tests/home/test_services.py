import pytest

from fundapp.auth import services as auth_services
from fundapp.home import services


@pytest.mark.parametrize(
    ("email", "endpoint"),
    [
        ("admin@example.org", "home.admin"),
        ("secretariat@example.org", "home.secretariat"),
        ("chair@example.org", "home.committee"),
        ("member1@example.org", "home.committee"),
        ("donor@example.org", "home.donor"),
        ("applicant@example.org", "home.applicant"),
    ],
)
def test_each_role_has_its_home(user, email, endpoint):
    assert services.home_endpoint(user(email)) == endpoint


def test_sign_in_asks_the_home_pages_where_a_user_lands(user):
    """auth cannot import home: the landing_page signal carries the question up."""
    assert auth_services.landing_endpoint(user("donor@example.org")) == "home.donor"
