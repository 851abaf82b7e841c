"""The demo's concept notes: the report's 113 submissions, enough eligible notes, idempotent (timing: scripts/bench)."""

import sqlalchemy as sa

from fundapp.auth.models import Organisation
from fundapp.concept_notes import services
from fundapp.concept_notes.models import ConceptNote
from fundapp.demo.concept_notes import seed_concept_notes
from fundapp.reference.models import Country


def test_demo_seeds_113_submitted_notes_once(db):
    created = seed_concept_notes()
    assert created == 117  # 113 submitted + 4 drafts
    summary = services.summary()
    assert summary["submitted"] == 113
    by_status = summary["by_status"]
    assert by_status["eligible"] >= 60
    assert 15 <= by_status["ineligible"] <= 20
    returned_ever = db.session.scalar(
        sa.select(sa.func.count()).select_from(services.Screening).where(services.Screening.decision == "returned")
    )
    assert 8 <= returned_ever <= 10
    assert db.session.scalar(sa.select(sa.func.count()).where(ConceptNote.version_count > 1)) >= 4
    leads = dict(
        db.session.execute(
            sa.select(Organisation.code, sa.func.count())
            .join(ConceptNote, ConceptNote.organisation_id == Organisation.id)
            .group_by(Organisation.code)
        ).all()
    )
    assert leads["UNDP"] >= 5
    assert leads["UNICEF"] >= 5
    areas = db.session.scalar(sa.select(sa.func.count(sa.distinct(ConceptNote.thematic_area_id))))
    assert areas == 5
    regions = db.session.scalar(
        sa.select(sa.func.count(sa.distinct(Country.region_code))).join(
            services.concept_note_countries, services.concept_note_countries.c.country_code == Country.code
        )
    )
    assert regions == 5
    ceiling = db.session.scalar(sa.select(sa.func.max(ConceptNote.budget_total)))
    assert ceiling <= 3_000_000
    assert seed_concept_notes() == 0
