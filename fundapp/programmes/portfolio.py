"""The portfolio of joint programmes: filters in SQL, pagination, CSV and a map-free geographic breakdown."""

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from fundapp.auth.models import Organisation
from fundapp.committee.models import JointProgrammeDocument, ProgrammeBudgetLine
from fundapp.committee.pipeline import GLOBAL, MULTI_REGIONAL, region_of
from fundapp.concept_notes.models import ConceptNote, concept_note_countries
from fundapp.core.extensions import db
from fundapp.core.permissions import Role
from fundapp.programmes import services
from fundapp.programmes.models import JointProgramme
from fundapp.programmes.workflow import STATUS_LABELS
from fundapp.reference.models import Country, Region, ThematicArea

ZERO = Decimal("0.00")


@dataclass
class Filters:
    area: str = ""
    region: str = ""
    country: str = ""
    organisation: int | None = None
    status: str = ""

    @classmethod
    def from_args(cls, args: Any) -> "Filters":
        org = args.get("organisation", "")
        return cls(
            area=args.get("area", "").strip(),
            region=args.get("region", "").strip(),
            country=args.get("country", "").strip().upper(),
            organisation=int(org) if org.isdigit() else None,
            status=args.get("status", "") if args.get("status", "") in STATUS_LABELS else "",
        )


def _note_in_country(codes: sa.Select | list[str]) -> sa.ColumnElement:
    return sa.exists(
        sa.select(concept_note_countries.c.concept_note_id).where(
            concept_note_countries.c.concept_note_id == ConceptNote.id,
            concept_note_countries.c.country_code.in_(codes),
        )
    )


def query(filters: Filters, user: Any = None) -> sa.Select:
    """Programmes matching the filters (an applicant: only those its organization participates in)."""
    q = (
        sa.select(JointProgramme)
        .join(JointProgrammeDocument, JointProgrammeDocument.id == JointProgramme.id)
        .join(ConceptNote, ConceptNote.id == JointProgrammeDocument.concept_note_id)
    )
    if filters.area:
        q = q.join(ThematicArea, ThematicArea.id == ConceptNote.thematic_area_id).where(
            ThematicArea.code == filters.area
        )
    if filters.status:
        q = q.where(JointProgramme.status == filters.status)
    else:
        # The portfolio is what the fund funded; documents in the pipeline show when asked for.
        q = q.where(JointProgramme.status != "pipeline")
    if filters.country:
        q = q.where(_note_in_country([filters.country]))
    if filters.region:
        q = q.where(_note_in_country(sa.select(Country.code).where(Country.region_code == filters.region)))
    orgs = []
    if filters.organisation:
        orgs.append(filters.organisation)
    if (
        user is not None
        and user.has_any_role(Role.applicant)
        and not user.has_any_role(Role.secretariat, Role.committee_member, Role.committee_chair, Role.donor, Role.admin)
    ):
        q = q.where(_has_org(user.organisation_id))
    for org_id in orgs:
        q = q.where(_has_org(org_id))
    return q.order_by(JointProgramme.id)


def _has_org(org_id: int) -> sa.ColumnElement:
    return sa.exists(
        sa.select(ProgrammeBudgetLine.id).where(
            ProgrammeBudgetLine.document_id == JointProgramme.id, ProgrammeBudgetLine.organisation_id == org_id
        )
    )


def with_details(q: sa.Select) -> sa.Select:
    return q.options(
        selectinload(JointProgramme.document).selectinload(JointProgrammeDocument.budget_lines),
        selectinload(JointProgramme.document)
        .selectinload(JointProgrammeDocument.concept_note)
        .selectinload(ConceptNote.countries)
        .selectinload(Country.region),
    )


@dataclass
class Row:
    programme: JointProgramme
    flow: services.OrgFlow

    @property
    def note(self) -> ConceptNote:
        return self.programme.document.concept_note

    @property
    def region(self) -> str:
        return region_of(self.note)


def rows(programmes: list[JointProgramme]) -> list[Row]:
    flows = services.money_flows([p.id for p in programmes])
    return [Row(p, services.programme_total(flows[p.id])) for p in programmes]


def geography(filters: Filters, user: Any = None) -> dict[str, list[tuple[str, int, Decimal]]]:
    """(name, programmes, approved budget) per region and per country over the filtered portfolio.

    A multi-country programme counts once in each of its countries with its whole budget (the fund does not
    split budgets by country), once under Multi-regional when its countries span regions, and under Global
    when it names none.
    """
    programmes = list(db.session.scalars(with_details(query(filters, user))))
    by_region: dict[str, list] = defaultdict(lambda: [0, ZERO])
    by_country: dict[str, list] = defaultdict(lambda: [0, ZERO])
    for p in programmes:
        note = p.document.concept_note
        total = p.document.total
        region = region_of(note)
        by_region[region][0] += 1
        by_region[region][1] += total
        for country in note.countries:
            by_country[country.name][0] += 1
            by_country[country.name][1] += total
    order = lambda item: (-item[2], item[0])  # noqa: E731
    return {
        "region": sorted(((k, c, a) for k, (c, a) in by_region.items()), key=order),
        "country": sorted(((k, c, a) for k, (c, a) in by_country.items()), key=order),
    }


def filter_options() -> dict[str, list]:
    regions = list(
        db.session.execute(
            sa.select(Region.code, Region.name)
            .where(
                Region.code.in_(
                    sa.select(Country.region_code).join(
                        concept_note_countries, concept_note_countries.c.country_code == Country.code
                    )
                )
            )
            .order_by(Region.name)
        )
    )
    countries = list(
        db.session.execute(
            sa.select(Country.code, Country.name)
            .where(
                Country.code.in_(
                    sa.select(concept_note_countries.c.country_code)
                    .join(
                        JointProgrammeDocument,
                        JointProgrammeDocument.concept_note_id == concept_note_countries.c.concept_note_id,
                    )
                    .join(JointProgramme, JointProgramme.id == JointProgrammeDocument.id)
                )
            )
            .order_by(Country.name)
        )
    )
    organisations = list(
        db.session.execute(
            sa.select(Organisation.id, Organisation.code)
            .where(
                Organisation.id.in_(
                    sa.select(ProgrammeBudgetLine.organisation_id).join(
                        JointProgramme, JointProgramme.id == ProgrammeBudgetLine.document_id
                    )
                )
            )
            .order_by(Organisation.code)
        )
    )
    areas = list(db.session.execute(sa.select(ThematicArea.code, ThematicArea.name).order_by(ThematicArea.position)))
    return {"regions": regions, "countries": countries, "organisations": organisations, "areas": areas}


CSV_HEADER = [
    "reference",
    "title",
    "status",
    "thematic_area",
    "region",
    "countries",
    "lead_organization",
    "participating_organizations",
    "starts_on",
    "ends_on",
    "approved_budget_usd",
    "allocated_usd",
    "transferred_usd",
    "refunded_usd",
    "expenditure_usd",
    "balance_usd",
    "delivery_rate_percent",
]


def to_csv(items: list[Row]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for r in items:
        p, note, f = r.programme, r.note, r.flow
        writer.writerow(
            [
                p.reference,
                p.title,
                STATUS_LABELS.get(p.status, p.status),
                note.thematic_area.code if note.thematic_area else "",
                r.region,
                "; ".join(c.name for c in note.countries),
                note.organisation.code,
                "; ".join(line.organisation.code for line in p.document.budget_lines),
                p.document.starts_on.isoformat(),
                p.document.ends_on.isoformat(),
                f"{p.document.total:.2f}",
                f"{f.allocated:.2f}",
                f"{f.transferred:.2f}",
                f"{f.refunded:.2f}",
                f"{f.spent:.2f}",
                f"{f.balance:.2f}",
                "" if f.delivery_rate is None else f"{f.delivery_rate}",
            ]
        )
    return out.getvalue()


__all__ = ["GLOBAL", "MULTI_REGIONAL", "Filters", "Row", "geography", "query", "rows", "to_csv"]
