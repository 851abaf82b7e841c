"""Public endpoints reveal no score, vote, draft, screening comment or personal data."""

import re

import pytest
import sqlalchemy as sa

from fundapp.auth.models import User
from fundapp.concept_notes.models import ConceptNote, Screening
from fundapp.demo.services import seed_demo

PUBLIC = ["/api/v1/summary", "/api/v1/funding-status", "/api/v1/contributors", "/api/v1/iati.xml"]
#: Words that would mean internal review data leaked (as JSON keys or XML element names).
FORBIDDEN_KEYS = re.compile(r'"(score|scores|vote|votes|comments|draft_text|email|password\w*|token\w*)"\s*:')


@pytest.fixture
def demo(db):
    seed_demo()
    return db


def test_the_scan_catches_a_leak(demo):
    email = demo.session.scalar(sa.select(User.email).limit(1))
    with pytest.raises(AssertionError):
        _check(f'{{"contact": "{email}"}}', demo)
    with pytest.raises(AssertionError):
        _check('{"scores": []}', demo)


def _check(body: str, demo) -> None:
    assert "@" not in body.replace("@context", ""), "an email address"
    names = demo.session.scalars(sa.select(User.name)).all()
    assert names
    assert not [n for n in names if n in body], "a user's name"
    assert not FORBIDDEN_KEYS.search(body)
    comments = [c for c in demo.session.scalars(sa.select(Screening.comments)) if c and len(c) > 12]
    assert not [c for c in comments if c in body], "a screening comment"
    drafts = demo.session.scalars(sa.select(ConceptNote.title).where(ConceptNote.version_count == 0)).all()
    assert not [t for t in drafts if t and t in body], "a draft's title"
    submitted = demo.session.scalars(sa.select(ConceptNote.title).where(ConceptNote.version_count > 0)).all()
    assert not [t for t in submitted if t and t in body], "a note's title (notes are not public)"


def test_public_endpoints_reveal_no_personal_or_review_data(client, demo):
    """One demo seeding for all the public endpoints (seeding is the slow part)."""
    for url in PUBLIC:
        response = client.get(url)
        assert response.status_code == 200, url
        _check(response.get_data(as_text=True), demo)


def test_the_demo_has_what_the_scan_looks_for(demo):
    """The scan above would catch leaks only if the demo holds drafts, comments and users."""
    assert demo.session.scalar(sa.select(sa.func.count()).where(ConceptNote.version_count == 0)) > 0
    assert demo.session.scalar(sa.select(sa.func.count()).select_from(Screening)) > 0
    assert demo.session.scalar(sa.select(sa.func.count()).select_from(User)) > 10
