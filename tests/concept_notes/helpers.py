"""Builders for calls and notes in tests: a complete note passes every submission rule."""

from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from fundapp.auth.models import Organisation, User
from fundapp.concept_notes import services
from fundapp.concept_notes.models import Call, ConceptNote
from fundapp.core import uploads
from fundapp.core.extensions import db
from fundapp.reference.models import GuidingPrinciple, Marker, ThematicArea

OPEN_DAY = date(2026, 3, 1)
CLOSED_CALL = {"closes_on": date(2026, 12, 31)}
#: A one-page PDF is all the checks need: the magic bytes.
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def user(email: str) -> User:
    return db.session.scalar(sa.select(User).where(User.email == email))


def org(code: str) -> Organisation:
    return db.session.scalar(sa.select(Organisation).where(Organisation.code == code))


def area(code: str = "TA4") -> ThematicArea:
    return db.session.scalar(sa.select(ThematicArea).where(ThematicArea.code == code))


def make_call(**overrides) -> Call:
    data = {
        "title": "Test call",
        "opens_on": date(2026, 1, 1),
        # Far ahead, so pages that use today's date find the call open whenever the suite runs.
        "closes_on": date(2099, 12, 31),
        "is_rolling": False,
        "envelope": Decimal("10000000"),
        "thematic_area_ids": [a.id for a in db.session.scalars(sa.select(ThematicArea))],
    }
    data.update(overrides)
    return services.create_call(user("secretariat@example.org"), services.CallData(**data))


def complete_data(**overrides) -> services.NoteData:
    """A note that passes every rule: two organizations, US$ 1.07 million, TA4 with objective 6, regional."""
    ta4 = area("TA4")
    data = services.NoteData(
        title="Fair recruitment for migrant workers",
        lead_direct_costs=Decimal("600000.00"),
        partners=[(org("ILO").id, Decimal("400000.00"))],
        thematic_area_id=ta4.id,
        objective_ids=[next(o.id for o in ta4.objectives if o.number == 6)],
        scope="regional",
        country_codes=["NPL", "BGD"],
        government_partners="Ministries of labour of Nepal and Bangladesh.",
        duration_months=24,
        gender_budget_share=Decimal("30"),
        narratives={key: f"Text for {key}." for key, _l, _h in services.NARRATIVES},
        principles={p.id: f"How we apply {p.name}." for p in db.session.scalars(sa.select(GuidingPrinciple))},
        markers={m.id: 2 for m in db.session.scalars(sa.select(Marker))},
    )
    for key, value in overrides.items():
        setattr(data, key, value)
    return data


def make_note(
    org_code: str = "UNDP",
    email: str = "applicant@example.org",
    call: Call | None = None,
    submit: bool = False,
    attach: bool = False,
    **overrides,
) -> ConceptNote:
    call = call or make_call()
    actor = user(email)
    note = services.create_note(actor, call, org(org_code), "Draft", on=OPEN_DAY)
    services.save_draft(actor, note, complete_data(**overrides))
    if attach:
        services.add_attachment(actor, note, uploads.check_upload("letter.pdf", PDF_BYTES), "endorsement")
    if submit:
        services.submit(actor, note, on=OPEN_DAY)
    return note
