"""axe-core on every form of the demo fund, in English and in Arabic, and no Arabic page wider than the screen.

The forms are found as a person finds them: each role's pages are walked from its home page by following the
links (GET only, through the browser context's request API, which is quick and shares the signed-in cookie),
and every page whose main content holds a `<form>` is kept, once per route (ids and months read as `{id}`),
by the first role to reach it (the secretariat sees most). Each role's home and the public pages are kept too.
Then one browser context per role opens each of them, in English and in Arabic (the switcher, as a person
would), and fails on any serious or critical axe violation; in Arabic the page must be laid out right to left
and be no wider than the screen at 1,366 and 390 px (tables scroll inside their own box).

Forms no link leads to in the demo (a draft concept note, an open score sheet, a progress report being written)
are covered by test_accessibility.py's `test_the_main_forms_pass_axe`, which makes them first; the account pages
reached from an email or in the middle of a sign-in (setting a password from an invitation or a reset link, the
two-factor set-up and code at sign-in, the pending invitations) by the journeys of test_accounts.py, which call
`accessible_in_both_languages` on each.
"""

import re
from collections import deque
from dataclasses import dataclass
from datetime import date

import pytest
import sqlalchemy as sa

from fundapp.committee import services as committee
from fundapp.committee.models import Meeting
from fundapp.core.extensions import db as _db
from fundapp.reference.models import ThematicArea
from fundapp.results import services as results
from fundapp.results.models import FundOutcome
from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import back_to_english, blocking_violations, choose_language  # noqa: F401

#: (who, where they start): the public first, then the roles from the one that sees the most forms.
ROLES = [
    (None, "/"),
    ("secretariat@example.org", "/secretariat"),
    ("admin@example.org", "/admin"),
    ("chair@example.org", "/committee"),
    ("member1@example.org", "/committee"),
    ("applicant@example.org", "/applicant"),
    ("donor@example.org", "/donor"),
]
#: Pages reached by a form rather than a link (the search box in the top bar).
EXTRA = {"secretariat@example.org": ["/search?q=migration"], None: ["/password/forgot"]}
#: Links not followed: signing out, files and machine exports, the API, and GETs that change something
#: (opening a notification marks it read, on a server other browser tests share).
SKIP = re.compile(
    r"logout|/language|\.(pdf|csv|xlsx|xml|json|zip)\b|/api/|/export|download|/attachments/|/notifications/\d|/static/"
)
MAIN = re.compile(r"<main\b.*?</main>", re.S)
HREF = re.compile(r'href="(/[^"#]*)"')
#: Routes every run must find (a walk that finds less has lost its way): one per area, the forms people use most.
MUST_FIND = {
    "/login",
    "/password/forgot",
    "/profile",
    "/concept-notes/new",
    "/concept-notes/{id}/edit",
    "/concept-notes/{id}/screen",
    "/concept-notes/calls/new",
    "/committee/meetings/new",
    "/committee/seats/new",
    "/committee/pipeline/scenario",
    "/contributions/donors/new",
    "/contributions/agreements/{id}/deposits/new",
    "/contributions/periods/{month}",
    "/programmes/{id}/tranches/new",
    "/programmes/{id}/expenditure",
    "/results/framework/outcomes/{id}/indicators/new",
    "/reference/areas/{id}/edit",
    "/admin/invitations/new",
    "/admin/users/{id}/edit",
    "/admin/organisations/new",
    "/committee/meetings/{id}",
    "/results/framework/outcomes/{id}/delete",
}
#: Pages visited per role at most while walking (the secretariat's walk reaches about 170).
WALK_LIMIT = 600


def route_of(url: str) -> str:
    """/concept-notes/82/edit?x=1 → /concept-notes/{id}/edit; /contributions/periods/2021-07 → …/{month}."""
    path = url.split("?", maxsplit=1)[0]
    path = re.sub(r"/\d{4}-\d{2}(?=/|$)", "/{month}", path)
    return re.sub(r"/\d+(?=/|$)", "/{id}", path)


@dataclass(frozen=True)
class FormPage:
    email: str | None
    url: str
    route: str


def walk(context, start: str, known: set[str], every_page: bool = False) -> list[tuple[str, str]]:
    """(route, url) of the pages with a form in their main content (or of every page) reachable from `start`,
    routes in `known` left out; every route is fetched once."""
    queue, seen, found = deque([start]), set(), []
    while queue and len(seen) < WALK_LIMIT:
        url = queue.popleft()
        route = route_of(url)
        if route in seen:
            continue
        seen.add(route)
        response = context.request.get(url, max_redirects=0)
        if response.status != 200 or "text/html" not in response.headers.get("content-type", ""):
            continue
        html = response.text()
        main = MAIN.search(html)
        if main and (every_page or "<form" in main.group(0)) and route not in known:
            found.append((route, url))
        queue.extend(
            href
            for href in (h.replace("&amp;", "&") for h in HREF.findall(html))
            if not SKIP.search(href) and route_of(href) not in seen
        )
    return found


@pytest.fixture(scope="module")
def staged(live_app):
    """Forms the demo's state hides: a planned meeting (its agenda and attendance forms; the demo's meetings are
    all held) and an outcome without indicators (it may be deleted: the confirmation form). The secretariat opens
    them; both are removed afterwards."""
    with live_app.app_context():
        meeting = committee.create_meeting(None, "Axe check meeting", date(2021, 12, 15), "Geneva")
        area = _db.session.scalar(sa.select(ThematicArea).order_by(ThematicArea.id))
        outcome = results.create_outcome(None, area, "9.9", "An outcome entered by mistake.")
        _db.session.commit()
        ids = meeting.id, outcome.id
        _db.session.remove()
    yield [f"/committee/meetings/{ids[0]}", f"/results/framework/outcomes/{ids[1]}/delete"]
    with live_app.app_context():
        results.delete_outcome(None, _db.session.get(FundOutcome, ids[1]))
        _db.session.delete(_db.session.get(Meeting, ids[0]))
        _db.session.commit()
        _db.session.remove()


@pytest.fixture(scope="module")
def pages_by_role(browser, live_server, staged) -> dict[str | None, list[FormPage]]:
    """Each role's home page and the forms it is the first to reach; every public page (see the module's
    docstring)."""
    known: set[str] = set()
    by_role: dict[str | None, list[FormPage]] = {}
    for email, home in ROLES:
        context = browser.new_context(base_url=live_server)
        page = context.new_page()
        if email:
            sign_in(page, email)
            page.wait_for_load_state()
        extra = EXTRA.get(email, []) + (staged if email == "secretariat@example.org" else [])
        found = [(route_of(url), url) for url in extra]
        found += walk(context, home, known | {route for route, _url in found}, every_page=email is None)
        # The home page is each role's own (the chair's and a member's differ): always kept.
        pages = [FormPage(email, home, route_of(home))]
        pages += [FormPage(email, url, route) for route, url in found if route != route_of(home)]
        known.update(p.route for p in pages)
        by_role[email] = pages
        context.close()
    return by_role


def test_the_walk_finds_the_forms_of_every_area(pages_by_role):
    found = {p.route for pages in pages_by_role.values() for p in pages}
    assert MUST_FIND - found == set()
    assert len(found) >= 60, sorted(found)


def fits(page, width: int) -> bool:
    page.set_viewport_size({"width": width, "height": 900})
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def accessible_in_both_languages(page) -> list[str]:
    """The page as it is (English) through axe, then in Arabic (right to left, axe, no wider than 1,366 and
    390 px), then back in English with the viewport it had: the problems found, for a journey that must carry
    on (the account pages a link in an email or a half-finished sign-in leads to, see test_accounts.py)."""
    url, viewport = page.url, page.viewport_size
    problems = [f"en {url}: {v}" for v in blocking_violations(page)]
    choose_language(page, "ar")
    if page.locator("html").get_attribute("dir") != "rtl":
        problems.append(f"ar {url}: not laid out right to left")
    problems += [f"ar {url}: {v}" for v in blocking_violations(page)]
    problems += [f"ar {url}: wider than {w} px" for w in (1366, 390) if not fits(page, w)]
    page.set_viewport_size(viewport)
    choose_language(page, "en")
    return problems


@pytest.mark.usefixtures("back_to_english")
@pytest.mark.parametrize(("email", "_home"), ROLES, ids=[email or "public" for email, _home in ROLES])
def test_every_form_passes_axe_and_fits_in_arabic(browser, live_server, pages_by_role, email, _home):
    pages = pages_by_role[email]
    context = browser.new_context(base_url=live_server, viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems: list[str] = []
    try:
        if email:
            sign_in(page, email)
            page.wait_for_load_state()
        for lang in ("en", "ar"):
            if lang == "ar":
                page.goto(pages[0].url)
                choose_language(page, "ar")
            for form_page in pages:
                page.set_viewport_size({"width": 1366, "height": 900})
                response = page.goto(form_page.url)
                if response is None or response.status != 200:
                    problems.append(f"{lang} {form_page.url}: status {response and response.status}")
                    continue
                problems += [f"{lang} {form_page.url}: {v}" for v in blocking_violations(page)]
                if lang == "ar":
                    if page.locator("html").get_attribute("dir") != "rtl":
                        problems.append(f"ar {form_page.url}: not laid out right to left")
                    problems += [f"ar {form_page.url}: wider than {w} px" for w in (1366, 390) if not fits(page, w)]
    finally:
        context.close()
    assert problems == [], "\n".join(problems)


#: Pages whose Arabic layout was looked at (test-output/screenshots/rtl-look-<name>-<width>.png): (name, who, path).
LOOKED_AT = [
    ("secretariat-inbox", "secretariat@example.org", "/secretariat"),
    ("pipeline", "secretariat@example.org", "/committee/pipeline"),
    ("programme", "secretariat@example.org", "/programmes/2"),
    ("transparency", None, "/transparency/"),
    ("donor-report", "donor@example.org", None),  # the donor's own report, by the link on their page
]


@pytest.mark.usefixtures("back_to_english")
@pytest.mark.parametrize(("name", "email", "path"), LOOKED_AT, ids=[name for name, _e, _p in LOOKED_AT])
def test_arabic_layouts_to_look_at(page, screenshot, name, email, path):
    """Right to left, no wider than the screen, charts drawn from the right; a screenshot of each at 1,366 and
    390 px to look at."""
    if email:
        sign_in(page, email)
        page.wait_for_load_state()
    if path is None:
        page.goto("/donor")
        path = page.locator("main a[href*='/report?']").first.get_attribute("href")
    page.goto(path)
    choose_language(page, "ar")
    assert page.locator("html").get_attribute("dir") == "rtl"
    for chart in page.locator("svg.chart").all():
        assert chart.get_attribute("direction") == "rtl"
    for width in (1366, 390):
        assert fits(page, width)
        assert screenshot(page, f"rtl-look-{name}-{width}").stat().st_size > 20_000
