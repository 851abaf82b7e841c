"""WCAG 2.1 AA in the browser: axe-core (bundled by axe-playwright-python, nothing downloaded) on the public
pages, the sign-in page, every role's home page and the main forms (concept note, deposit, score sheet, progress
report, profile), in English and in Arabic; Arabic pages laid out right to left without horizontal overflow at
desktop and phone widths; the language switcher keeps its choice."""

import pytest
import sqlalchemy as sa
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from fundapp.auth.models import Organisation, User
from fundapp.committee.models import CommitteeSeat, Recusal, Review
from fundapp.committee.services import open_review as open_it
from fundapp.concept_notes import workflow as note_workflow
from fundapp.concept_notes.models import ConceptNote
from fundapp.contributions.models import Agreement
from fundapp.core.extensions import db as _db
from fundapp.programmes import reporting
from fundapp.programmes.models import JointProgramme, ProgressReport
from fundapp.programmes.workflow import REPORTING_STATES
from tests.browser.conftest import sign_in

AXE = Axe()
BLOCKING = ("serious", "critical")
PUBLIC = [
    "/",
    "/login",
    "/password/forgot",
    "/transparency/",
]
ROLE_HOMES = [
    ("applicant@example.org", "/applicant"),
    ("secretariat@example.org", "/secretariat"),
    ("chair@example.org", "/committee"),
    ("donor@example.org", "/donor"),
    ("admin@example.org", "/admin"),
    ("applicant2@example.org", "/profile"),
]


def choose_language(page, code: str) -> None:
    """Use the switcher as a person would (it is on every page); the page reloads in that language."""
    page.locator(f'.language-switcher button[lang="{code}"]').click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == code


@pytest.fixture
def back_to_english(live_app):
    """A signed-in person's choice is saved on their profile, and the demo server is shared by the session's
    browser tests: afterwards the demo's people have no language chosen again (their browser's applies)."""
    yield
    with live_app.app_context():
        _db.session.execute(sa.update(User).values(language=None))
        _db.session.commit()
        _db.session.remove()


def blocking_violations(page) -> list[str]:
    results = AXE.run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
        for v in results.response["violations"]
        if v["impact"] in BLOCKING
    ]


def no_horizontal_overflow(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("lang", ["en", "ar"])
@pytest.mark.parametrize("path", PUBLIC)
def test_public_pages_pass_axe(page, path, lang):
    page.goto("/login")
    if lang != "en":
        choose_language(page, lang)
    page.goto(path)
    assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
    assert blocking_violations(page) == []


@pytest.mark.parametrize("lang", ["en", "ar"])
@pytest.mark.parametrize(("email", "path"), ROLE_HOMES)
def test_each_roles_main_page_passes_axe(page, back_to_english, email, path, lang):
    sign_in(page, email)
    page.wait_for_load_state()
    page.goto(path)
    if lang != "en":
        choose_language(page, lang)
    assert blocking_violations(page) == []


@pytest.mark.parametrize("width", [1366, 390])
@pytest.mark.parametrize(
    ("name", "email", "path"), [("login", None, "/login"), ("donor", "donor@example.org", "/donor")]
)
def test_arabic_pages_are_right_to_left_and_fit_the_screen(page, back_to_english, screenshot, width, name, email, path):
    page.set_viewport_size({"width": width, "height": 900})
    if email:
        sign_in(page, email)
        page.wait_for_load_state()
    page.goto(path)
    choose_language(page, "ar")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert no_horizontal_overflow(page)
    shot = screenshot(page, f"rtl-{name}-{width}")
    assert shot.stat().st_size > 5_000


def test_the_switcher_keeps_the_choice_across_pages_and_sign_in(page, back_to_english):
    page.goto("/")
    choose_language(page, "fr")
    page.goto("/login")
    assert page.get_by_role("heading", level=1).inner_text() == "Se connecter"
    page.get_by_label("Courriel").fill("member3@example.org")  # no language chosen yet: the kept choice applies
    page.get_by_label("Mot de passe").fill("fundapp-demo")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "fr"
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()


def test_the_skip_link_is_the_first_stop_and_lands_on_the_content(page):
    page.goto("/login")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    assert skip.evaluate("el => el === document.activeElement")
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")


def _form_pages(focal: str, report_id: int) -> dict[str, tuple[str, str]]:
    """(person, path) of each main form on the demo fund, found in its data: nothing is changed."""

    session = _db.session
    ilo_user = session.scalar(sa.select(User).where(User.email == "applicant4@example.org"))
    note = session.scalar(
        sa.select(ConceptNote)
        .where(ConceptNote.organisation_id == ilo_user.organisation_id, ConceptNote.status == note_workflow.DRAFT)
        .order_by(ConceptNote.id)
    )
    agreement = session.scalar(sa.select(Agreement).order_by(Agreement.id))
    review = session.scalar(sa.select(Review).where(Review.closed_at.is_(None)).order_by(Review.id.desc()))
    recused = sa.select(Recusal.seat_id).where(Recusal.concept_note_id == review.concept_note_id)
    seat = session.scalar(
        sa.select(CommitteeSeat)
        .where(CommitteeSeat.is_active, CommitteeSeat.is_voting, CommitteeSeat.id.not_in(recused))
        .order_by(CommitteeSeat.id.desc())
    )
    member = session.get(User, seat.user_id)
    return {
        "concept-note": ("applicant4@example.org", f"/concept-notes/{note.id}/edit"),
        "deposit": ("secretariat@example.org", f"/contributions/agreements/{agreement.id}/deposits/new"),
        "score-sheet": (member.email, f"/committee/notes/{review.concept_note_id}"),
        "progress-report": (focal, f"/programmes/reports/{report_id}/edit"),
        "profile": ("applicant2@example.org", "/profile"),
    }


@pytest.fixture(scope="module")
def open_review(live_app):
    """The demo has no review open for scoring: the secretariat opens one on an eligible note that UNDP does not
    lead (the committee journey takes UNDP's), and it is put back as it was afterwards for later tests."""

    with live_app.app_context():
        undp = _db.session.scalar(sa.select(Organisation.id).where(Organisation.code == "UNDP"))
        note = _db.session.scalar(
            sa.select(ConceptNote)
            .where(ConceptNote.status == note_workflow.ELIGIBLE, ConceptNote.organisation_id != undp)
            .order_by(ConceptNote.id.desc())
        )
        secretariat = _db.session.scalar(sa.select(User).where(User.email == "secretariat@example.org"))
        had_review = _db.session.scalar(sa.select(Review.id).where(Review.concept_note_id == note.id))
        assert had_review is None, "the note chosen for scoring was reviewed before"
        open_it(secretariat, note)
        note_id = note.id
        _db.session.commit()
        _db.session.remove()
    yield note_id
    with live_app.app_context():
        _db.session.execute(sa.delete(Review).where(Review.concept_note_id == note_id))
        _db.session.execute(
            sa.update(ConceptNote).where(ConceptNote.id == note_id).values(status=note_workflow.ELIGIBLE)
        )
        _db.session.commit()
        _db.session.remove()


@pytest.fixture(scope="module")
def draft_report(live_app):
    """The demo's reports are all delivered: a focal point of UNDP, UNICEF or ILO starts one on a programme IOM
    is not part of (the programmes journey reports for IOM); it is deleted afterwards."""

    with live_app.app_context():
        people = _db.session.scalars(
            sa.select(User).where(
                User.email.in_(["applicant@example.org", "applicant2@example.org", "applicant4@example.org"])
            )
        ).all()
        iom = _db.session.scalar(sa.select(User.organisation_id).where(User.email == "applicant3@example.org"))
        programmes = _db.session.scalars(
            sa.select(JointProgramme).where(JointProgramme.status.in_(REPORTING_STATES)).order_by(JointProgramme.id)
        )
        found = next(
            (person, programme, periods[0])
            for programme in programmes
            if iom not in programme.participating_ids and (periods := reporting.open_periods(programme))
            for person in people
            if person.organisation_id in programme.participating_ids
        )
        person, programme, period = found
        report = reporting.start_report(person, programme, period.period)
        report_id, email = report.id, person.email
        _db.session.commit()
        _db.session.remove()
    yield email, report_id
    with live_app.app_context():
        _db.session.delete(_db.session.get(ProgressReport, report_id))
        _db.session.commit()
        _db.session.remove()


@pytest.mark.parametrize("lang", ["en", "ar"])
@pytest.mark.parametrize("form", ["concept-note", "deposit", "score-sheet", "progress-report", "profile"])
def test_the_main_forms_pass_axe(page, live_app, open_review, draft_report, back_to_english, screenshot, form, lang):
    with live_app.app_context():
        email, path = _form_pages(*draft_report)[form]
        _db.session.remove()
    sign_in(page, email)
    page.wait_for_load_state()
    page.goto(path)
    assert page.locator("main form").count(), f"{path} shows no form to {email}"
    if lang != "en":
        choose_language(page, lang)
    if form == "score-sheet":  # the sheet itself, not only the page around it
        assert page.locator("form[action$='/score']").count(), f"{email} cannot score on {path}"
    assert blocking_violations(page) == []
    screenshot(page, f"axe-form-{form}-{lang}")
