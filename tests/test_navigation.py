"""Navigation grouped by task: at most eight top-level entries for any role, every link one the user may open,
and a menu that works on a phone (a button, keyboard-reachable groups, no inline script)."""

import pytest
from flask import url_for

from fundapp.auth.models import UserRole
from fundapp.core import navigation
from fundapp.core.permissions import Role
from tests.routing import ROLE_EMAILS

#: Every demo account: the roles and the people with more than one seat.
EMAILS = sorted({*ROLE_EMAILS.values(), "applicant2@example.org", "donor2@example.org", "member11@example.org"})
MAX_TOP_LEVEL = 8


@pytest.mark.parametrize("email", EMAILS)
def test_no_role_sees_more_than_eight_top_level_entries(app, user, email):
    groups = navigation.nav_groups(user(email))
    assert 2 <= len(groups) <= MAX_TOP_LEVEL, [g.label for g in groups]
    assert groups[0].single is not None
    assert groups[0].single.endpoint == "home.index"


def test_a_user_with_every_role_still_sees_at_most_eight(app, user, db):

    everyone = user("admin@example.org")
    for role in Role:
        if role != Role.admin:
            everyone.role_rows.append(UserRole(role=role))
    db.session.flush()
    groups = navigation.nav_groups(everyone)
    assert len(groups) <= MAX_TOP_LEVEL, [g.label for g in groups]
    links = [item for group in groups for item in group.items]
    assert len(links) == len(navigation.nav_for(everyone)) > 20  # grouped, none lost


@pytest.mark.parametrize("role", sorted(ROLE_EMAILS))
def test_every_link_of_the_menu_opens(client, login, app, user, role):
    login(ROLE_EMAILS[role])
    with app.test_request_context():
        urls = [url_for(item.endpoint) for item in navigation.nav_for(user(ROLE_EMAILS[role]))]
    for url in urls:
        assert client.get(url, follow_redirects=True).status_code == 200, (role, url)


def test_visitors_see_the_public_reports(client):
    page = client.get("/transparency/").get_data(as_text=True)
    nav = page[page.index('<nav class="mainnav"') : page.index("</nav>", page.index('<nav class="mainnav"'))]
    assert 'href="/transparency/"' in nav
    assert 'href="/transparency/results-report"' in nav
    assert "site-search" not in nav  # the search box is for signed-in users
    assert "<script" not in page  # public pages need no script: two links need no menu button


def test_the_menu_is_grouped_with_a_button_for_phones(client, login):
    login("secretariat@example.org")
    page = client.get("/secretariat").get_data(as_text=True)
    assert '<button type="button" class="menu-toggle" aria-expanded="false" aria-controls="mainnav-menu">' in page
    assert page.count('<li class="nav-group">') >= 5
    assert "<summary>Committee</summary>" in page
    assert '<script src="/static/js/nav.js" defer></script>' in page  # never holds the page up
    assert "<script>" not in page  # no inline script (the CSP allows 'self' only)
    script = client.get("/static/js/nav.js")
    script.close()  # a file response holds an open handle
    assert script.status_code == 200
