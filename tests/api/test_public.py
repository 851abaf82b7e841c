"""Public endpoints reveal no score, vote, draft, screening comment or personal data."""

import html
import re

import pytest
import sqlalchemy as sa

from fundapp.auth.models import User
from fundapp.committee.models import JointProgrammeDocument, ScoreSheet, VoteRecord
from fundapp.concept_notes.models import ConceptNote, Screening
from fundapp.demo.services import seed_demo
from fundapp.programmes.models import ProgrammeIndicator
from fundapp.reports import transparency
from fundapp.results.models import FundIndicator

PUBLIC = [
    "/api/v1/summary",
    "/api/v1/funding-status",
    "/api/v1/contributors",
    "/api/v1/iati.xml",
    "/api/v1/programmes?per_page=100",
    "/transparency/",
    *[
        f"/transparency/{t}.csv"
        for t in ("statement", "contributors", "areas", "organisations", "regions", "programmes")
    ],
]
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
    with pytest.raises(AssertionError):
        _check("<td>Votes: 3 in favour</td>", demo)
    comment = demo.session.scalar(sa.select(ScoreSheet.comment).where(sa.func.length(ScoreSheet.comment) > 12))
    with pytest.raises(AssertionError):
        _check(f"<p>{comment}</p>", demo)


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
    funded = sa.select(JointProgrammeDocument.concept_note_id).where(
        JointProgrammeDocument.id.in_(transparency.funded_programme_ids())
    )
    public = set(demo.session.scalars(sa.select(ConceptNote.title).where(ConceptNote.id.in_(funded))))
    submitted = demo.session.scalars(
        sa.select(ConceptNote.title).where(ConceptNote.version_count > 0, ConceptNote.id.not_in(funded))
    ).all()
    # (demo notes reuse titles: a title a funded programme also carries is public through it)
    assert not [t for t in submitted if t and t not in public and t in body], (
        "a title of a note not funded (only funded ones are public)"
    )
    private = [
        *demo.session.scalars(sa.select(ScoreSheet.comment)),
        *demo.session.scalars(sa.select(VoteRecord.rationale)),
    ]
    assert not [c for c in private if c and len(c) > 12 and c in body], "a score comment or a vote rationale"
    text = re.sub(r"<[^>]+>", " ", body.split('id="alignment"', maxsplit=1)[0])
    # Results indicators are public by design (IATI results) and some measure a score ("a sustainable reintegration
    # score of 0.5 or more"): their names are not review data, so they are taken out before looking for review words.
    indicator_names = [
        *demo.session.scalars(sa.select(FundIndicator.name)),
        *demo.session.scalars(sa.select(ProgrammeIndicator.name)),
    ]
    for name in sorted({n for n in indicator_names if n}, key=len, reverse=True):
        text = text.replace(name, " ")
    assert not re.search(r"\b(votes?|voted|scores?|scored by)\b", text, re.I), (
        "review words outside the alignment section"
    )


def test_public_endpoints_reveal_no_personal_or_review_data(client, demo):
    """One demo seeding for all the public endpoints (seeding is the slow part)."""
    programmes = [p.id for p in transparency.list_programmes()]
    assert programmes
    pages = [f"/transparency/programmes/{i}" for i in programmes] + [f"/api/v1/programmes/{i}" for i in programmes]
    for url in PUBLIC + pages:
        response = client.get(url)
        assert response.status_code == 200, url
        _check(html.unescape(response.get_data(as_text=True)), demo)


def test_the_demo_has_what_the_scan_looks_for(demo):
    """The scan above would catch leaks only if the demo holds drafts, comments and users."""
    assert demo.session.scalar(sa.select(sa.func.count()).where(ConceptNote.version_count == 0)) > 0
    assert demo.session.scalar(sa.select(sa.func.count()).select_from(Screening)) > 0
    assert demo.session.scalar(sa.select(sa.func.count()).select_from(User)) > 10
