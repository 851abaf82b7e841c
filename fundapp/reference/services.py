"""Reference data: loading from the data file (idempotent) and the edits the secretariat may make."""

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pycountry
import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import selectinload

from fundapp.auth.models import Organisation, OrganisationType, User
from fundapp.core.audit import record_change
from fundapp.core.errors import DomainError, NotAllowed
from fundapp.core.extensions import db
from fundapp.core.i18n import _, _l
from fundapp.reference.models import (
    Country,
    Currency,
    FundSettings,
    GcmObjective,
    GuidingPrinciple,
    Marker,
    MarkerLevel,
    Region,
    ThematicArea,
)

DATA_DIR = Path(__file__).resolve().parent / "data"


class DuplicateCode(DomainError):
    field = "code"


def load_reference(path: str | Path, actor: User | None = None) -> dict[str, int]:
    """Create whatever the reference file holds that the database lacks.

    Existing rows are left as they are, so names and mappings the secretariat edited survive a reload;
    running it twice creates nothing the second time. Returns the number of rows created per kind.
    """
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    created = {
        "fund": _load_fund(data["fund"]),
        "regions_and_countries": _load_countries(),
        "currencies": _load_currencies(),
        "objectives": _load_objectives(data["gcm_objectives"]),
        "thematic_areas": _load_areas(data["thematic_areas"]),
        "guiding_principles": _load_principles(data["guiding_principles"]),
        "markers": _load_markers(data["markers"]),
        "organisations": _load_organisations(data),
    }
    db.session.flush()
    if any(created.values()):
        record_change(actor, "reference.loaded", "reference", None, {"file": Path(path).name, **created})
    return created


def _load_fund(fund: dict[str, Any]) -> int:
    if db.session.scalar(sa.select(FundSettings.id).limit(1)) is not None:
        return 0
    db.session.add(
        FundSettings(
            code=fund["code"],
            name=fund["name"],
            currency=fund["currency"],
            established_on=date.fromisoformat(fund["established"]) if fund.get("established") else None,
            capitalization_target_usd=Decimal(fund["capitalization_target_usd"]),
            administrative_agent=fund["administrative_agent"],
            administrative_agent_fee_rate=Decimal(fund["administrative_agent_fee_rate"]),
            indirect_support_cost_rate=Decimal(fund["indirect_support_cost_rate"]),
            chair=fund.get("chair"),
            decision_rule=fund.get("decision_rule", "consensus"),
            year_end_expenditure_deadline=fund.get("year_end_expenditure_deadline", "04-30"),
        )
    )
    return 1


def _load_countries() -> int:
    m49 = json.loads((DATA_DIR / "m49_regions.json").read_text(encoding="utf-8"))
    existing_regions = set(db.session.scalars(sa.select(Region.code)))
    created = 0
    for level, key in (("region", "regions"), ("sub_region", "sub_regions"), ("intermediate", "intermediate_regions")):
        for code, name in m49[key].items():
            if code not in existing_regions:
                db.session.add(Region(code=code, name=name, level=level))
                created += 1
    db.session.flush()
    existing = set(db.session.scalars(sa.select(Country.code)))
    for country in pycountry.countries:
        if country.alpha_3 in existing:
            continue
        place = m49["countries"].get(country.alpha_3, {})
        db.session.add(
            Country(
                code=country.alpha_3,
                alpha2=country.alpha_2,
                name=getattr(country, "common_name", None) or country.name,
                region_code=place.get("region"),
                sub_region_code=place.get("sub_region"),
                intermediate_region_code=place.get("intermediate_region"),
            )
        )
        created += 1
    return created


def _load_currencies() -> int:
    existing = set(db.session.scalars(sa.select(Currency.code)))
    created = 0
    for currency in pycountry.currencies:
        if currency.alpha_3 not in existing:
            db.session.add(Currency(code=currency.alpha_3, name=currency.name, numeric=currency.numeric))
            created += 1
    return created


def _load_objectives(objectives: list[dict[str, Any]]) -> int:
    existing = set(db.session.scalars(sa.select(GcmObjective.number)))
    new = [GcmObjective(number=o["number"], title=o["title"]) for o in objectives if o["number"] not in existing]
    db.session.add_all(new)
    db.session.flush()
    return len(new)


def _load_areas(areas: list[dict[str, Any]]) -> int:
    existing = {a.code: a for a in db.session.scalars(sa.select(ThematicArea))}
    by_number = {o.number: o for o in db.session.scalars(sa.select(GcmObjective))}
    created = 0
    for position, area in enumerate(areas, start=1):
        if area["code"] in existing:
            row = existing[area["code"]]
            row.dac_sector = row.dac_sector or area.get("dac_sector")
            continue
        db.session.add(
            ThematicArea(
                code=area["code"],
                name=area["name"],
                position=position,
                dac_sector=area.get("dac_sector"),
                objectives=[by_number[n] for n in area["objectives"]],
            )
        )
        created += 1
    return created


def _load_principles(principles: list[dict[str, Any]]) -> int:
    existing = set(db.session.scalars(sa.select(GuidingPrinciple.code)))
    new = [
        GuidingPrinciple(code=p["code"], name=p["name"], position=i)
        for i, p in enumerate(principles, start=1)
        if p["code"] not in existing
    ]
    db.session.add_all(new)
    db.session.flush()
    return len(new)


def _load_markers(markers: dict[str, Any]) -> int:
    created = 0
    scores = set(db.session.scalars(sa.select(MarkerLevel.score)))
    for level in markers["scale"]:
        if level["score"] not in scores:
            db.session.add(MarkerLevel(score=level["score"], label=level["label"]))
            created += 1
    codes = set(db.session.scalars(sa.select(Marker.code)))
    principles = {p.code: p for p in db.session.scalars(sa.select(GuidingPrinciple))}
    for marker in markers["markers"]:
        if marker["code"] not in codes:
            principle = principles.get(marker.get("principle"))
            db.session.add(
                Marker(
                    code=marker["code"],
                    name=marker["name"],
                    principle=principle,
                    minimum_score=marker.get("minimum_score", 2),
                )
            )
            created += 1
    return created


def _load_organisations(data: dict[str, Any]) -> int:
    """UN entities, the secretariat and the file's other organisations (donors); a missing IATI identifier of an
    existing row is filled in from the file (an identifier the secretariat typed is kept)."""
    existing = {o.code: o for o in db.session.scalars(sa.select(Organisation))}
    created = 0
    rows = [{**entity, "type": OrganisationType.un_entity.value} for entity in data["un_entities"]]
    rows += data.get("organisations", [])
    for row in rows:
        org = existing.get(row["code"])
        if org is None:
            db.session.add(
                Organisation(
                    code=row["code"],
                    name=row["name"],
                    type=OrganisationType(row["type"]),
                    country_code=row.get("country"),
                    un_network_executive_committee=row.get("un_network_executive_committee", False),
                    iati_ref=row.get("iati_ref"),
                )
            )
            created += 1
        elif org.iati_ref is None and row.get("iati_ref"):
            org.iati_ref = row["iati_ref"]
    secretariat = data["fund"].get("secretariat")
    if secretariat and secretariat["code"] not in existing:
        db.session.add(
            Organisation(code=secretariat["code"], name=secretariat["name"], type=OrganisationType.secretariat)
        )
        created += 1
    return created


def get_fund() -> FundSettings | None:
    return db.session.scalar(sa.select(FundSettings).limit(1))


def thematic_areas() -> list[ThematicArea]:
    """Areas with their objectives in two queries (selectin), whatever their number."""
    return list(
        db.session.scalars(
            sa.select(ThematicArea).options(selectinload(ThematicArea.objectives)).order_by(ThematicArea.position)
        )
    )


def guiding_principles() -> list[GuidingPrinciple]:
    """The Compact's guiding principles in their official order (one query)."""
    return list(db.session.scalars(sa.select(GuidingPrinciple).order_by(GuidingPrinciple.position)))


def markers(with_principle: bool = False) -> list[Marker]:
    """The fund's markers in reference order; with_principle loads each marker's principle too (one more query)."""
    query = sa.select(Marker).order_by(Marker.id)
    if with_principle:
        query = query.options(selectinload(Marker.principle))
    return list(db.session.scalars(query))


def principle_choices() -> list[tuple[int, str]]:
    """(id, "code name") pairs for a select or checkboxes of guiding principles."""
    return [(p.id, f"{p.code} {p.local_name}") for p in guiding_principles()]


def marker_choices() -> list[tuple[int, str]]:
    """(id, "code name") pairs for a select of markers."""
    return [(m.id, f"{m.code} {m.local_name}") for m in markers()]


def countries() -> list[Country]:
    """Every country by name (for selects)."""
    return list(db.session.scalars(sa.select(Country).order_by(Country.name)))


def country_choices() -> list[tuple[str, str]]:
    return [(c.code, c.local_name) for c in countries()]


def objectives(with_areas: bool = False) -> list[GcmObjective]:
    """The GCM objectives by number; with_areas loads each objective's thematic areas too (one more query)."""
    query = sa.select(GcmObjective).order_by(GcmObjective.number)
    if with_areas:
        query = query.options(selectinload(GcmObjective.thematic_areas))
    return list(db.session.scalars(query))


def objective_choices() -> list[tuple[int, str]]:
    """(id, "N. title") pairs for the area form's checkboxes."""
    return [(o.id, o.label) for o in objectives()]


def marker_levels() -> list[MarkerLevel]:
    return list(db.session.scalars(sa.select(MarkerLevel).order_by(MarkerLevel.score)))


#: The committee's decision rules (FundSettings.decision_rule) as people read them.
DECISION_RULES = {"consensus": _l("Consensus"), "majority": _l("Majority")}


def reference_overview() -> dict[str, Any]:
    """Everything the reference page shows, in a fixed number of queries."""
    return {
        "areas": thematic_areas(),
        "objectives": objectives(with_areas=True),
        "principles": guiding_principles(),
        "markers": markers(with_principle=True),
        "levels": marker_levels(),
        "decision_rules": DECISION_RULES,
        "counts": {
            "countries": db.session.scalar(sa.select(sa.func.count()).select_from(Country)),
            "currencies": db.session.scalar(sa.select(sa.func.count()).select_from(Currency)),
            "un_entities": db.session.scalar(
                sa.select(sa.func.count()).where(Organisation.type == OrganisationType.un_entity)
            ),
        },
    }


def regions() -> list[Region]:
    """The top-level M49 regions by name (the country list's filter)."""
    return list(db.session.scalars(sa.select(Region).where(Region.level == "region").order_by(Region.name)))


#: Rows per page of the country and currency lists.
LIST_PER_PAGE = 50


def _countries_query(region: str) -> sa.Select:
    query = sa.select(Country).options(selectinload(Country.region), selectinload(Country.sub_region))
    if region:
        query = query.where(Country.region_code == region)
    return query.order_by(Country.name)


def country_page(region: str = "", page: int = 1) -> Pagination:
    """One page of countries (in one region, or all), with their regions."""
    return db.paginate(_countries_query(region), page=page, per_page=LIST_PER_PAGE, max_per_page=200, error_out=False)


def countries_with_regions(region: str = "") -> list[Country]:
    """Every country of the region (or all), with their regions, by name (the CSV export)."""
    return list(db.session.scalars(_countries_query(region)))


def currency_page(page: int = 1) -> Pagination:
    query = sa.select(Currency).order_by(Currency.code)
    return db.paginate(query, page=page, per_page=LIST_PER_PAGE, max_per_page=200, error_out=False)


def currencies() -> list[Currency]:
    return list(db.session.scalars(sa.select(Currency).order_by(Currency.code)))


def rename(actor: User, obj: ThematicArea | GcmObjective | GuidingPrinciple | Marker, name: str) -> None:
    """The secretariat may correct names; codes and numbers stay, since other records cite them."""
    name = (name or "").strip()
    if not name:
        raise DomainError(_("A name is required."), field="name")
    attr = "title" if isinstance(obj, GcmObjective) else "name"
    old = getattr(obj, attr)
    if old == name:
        return
    setattr(obj, attr, name)
    db.session.flush()
    record_change(actor, "reference.renamed", type(obj).__tablename__, obj.id, {"from": old, "to": name})


def update_area(actor: User, area: ThematicArea, name: str, objective_ids: list[int]) -> None:
    """The area form: its name and its objectives, both or neither."""
    rename(actor, area, name)
    set_area_objectives(actor, area, objective_ids)


def set_area_objectives(actor: User, area: ThematicArea, objective_ids: list[int]) -> None:
    """Replace an area's objectives. An area without objectives could never accept a concept note."""
    if not objective_ids:
        raise DomainError(_("A thematic area needs at least one GCM objective."), field="objectives")
    objectives = list(db.session.scalars(sa.select(GcmObjective).where(GcmObjective.id.in_(objective_ids))))
    if len(objectives) != len(set(objective_ids)):
        raise DomainError(_("Unknown objective."), field="objectives")
    before = sorted(o.number for o in area.objectives)
    area.objectives = sorted(objectives, key=lambda o: o.number)
    db.session.flush()
    after = sorted(o.number for o in objectives)
    if before != after:
        record_change(
            actor, "reference.area_objectives_changed", "thematic_areas", area.id, {"from": before, "to": after}
        )


# Organisations -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrganisationFilters:
    """The organisation list's filters (the page and its CSV); unknown values filter nothing."""

    org_type: str = ""
    status: str = ""
    q: str = ""


#: Organisations per page of the administration list.
ORGANISATIONS_PER_PAGE = 25


def _organisations_query(filters: OrganisationFilters) -> sa.Select:
    query = sa.select(Organisation).options(selectinload(Organisation.country))
    if filters.org_type in OrganisationType.__members__:
        query = query.where(Organisation.type == OrganisationType(filters.org_type))
    if filters.status in ("active", "inactive"):
        query = query.where(Organisation.is_active.is_(filters.status == "active"))
    if filters.q:
        like = f"%{filters.q.lower()}%"
        query = query.where(
            sa.or_(sa.func.lower(Organisation.name).like(like), sa.func.lower(Organisation.code).like(like))
        )
    return query.order_by(Organisation.name)


def organisation_page(filters: OrganisationFilters, page: int = 1) -> Pagination:
    """One page of organisations with their countries, filtered and paginated in SQL."""
    return db.paginate(
        _organisations_query(filters), page=page, per_page=ORGANISATIONS_PER_PAGE, max_per_page=100, error_out=False
    )


def organisations(filters: OrganisationFilters) -> list[Organisation]:
    """Every organisation the filters select, by name (the CSV export)."""
    return list(db.session.scalars(_organisations_query(filters)))


def create_organisation(
    actor: User | None, code: str, name: str, type: OrganisationType, country_code: str | None = None
) -> Organisation:
    code = code.strip()
    if db.session.scalar(sa.select(Organisation.id).where(sa.func.lower(Organisation.code) == code.lower())):
        raise DuplicateCode(_("An organisation with the code %(code)s already exists.", code=code))
    if country_code and db.session.get(Country, country_code) is None:
        raise DomainError(_("Unknown country."), field="country_code")
    org = Organisation(code=code, name=name.strip(), type=OrganisationType(type), country_code=country_code or None)
    db.session.add(org)
    db.session.flush()
    record_change(actor, "organisation.created", "organisations", org.id, {"code": code, "type": org.type.value})
    return org


def update_organisation(
    actor: User | None, org: Organisation, name: str, type: OrganisationType, country_code: str | None
) -> None:
    if country_code and db.session.get(Country, country_code) is None:
        raise DomainError(_("Unknown country."), field="country_code")
    changes = {}
    for attr, value in (
        ("name", name.strip()),
        ("type", OrganisationType(type)),
        ("country_code", country_code or None),
    ):
        if getattr(org, attr) != value:
            changes[attr] = {"from": str(getattr(org, attr)), "to": str(value)}
            setattr(org, attr, value)
    db.session.flush()
    if changes:
        record_change(actor, "organisation.updated", "organisations", org.id, changes)


def set_organisation_active(actor: User | None, org: Organisation, active: bool) -> None:
    """Deactivating keeps the history; the organisation's users can no longer sign in."""
    if getattr(actor, "organisation_id", None) == org.id and not active:
        raise NotAllowed(_("You cannot deactivate your own organisation."))
    if org.is_active == active:
        return
    org.is_active = active
    db.session.flush()
    record_change(actor, "organisation.activated" if active else "organisation.deactivated", "organisations", org.id)


# Names for the audit log ---------------------------------------------------------------------------------


def describe_objects(object_type: str, ids: list[str]) -> dict[str, str] | None:
    """Names of reference records for the audit log (`signals.describe_objects`), one query."""
    numbers = [int(i) for i in ids if str(i).isdigit()]
    named = {
        "thematic_areas": (ThematicArea, _l("thematic area %(code)s %(name)s"), ThematicArea.code, ThematicArea.name),
        "guiding_principles": (
            GuidingPrinciple,
            _l("guiding principle ‘%(name)s’"),
            GuidingPrinciple.code,
            GuidingPrinciple.name,
        ),
        "markers": (Marker, _l("marker ‘%(name)s’"), Marker.code, Marker.name),
        "gcm_objectives": (
            GcmObjective,
            _l("GCM objective %(code)s: %(name)s"),
            GcmObjective.number,
            GcmObjective.title,
        ),
    }
    if object_type in named:
        model, pattern, code, name = named[object_type]
        rows = db.session.execute(sa.select(model.id, code, name).where(model.id.in_(numbers)))
        found = {str(i): str(pattern) % {"code": c, "name": n} for i, c, n in rows}
        if object_type == "markers":  # the minimum scores are set for all markers at once
            found.update({i: _("the markers' minimum scores") for i in ids if not str(i).isdigit()})
        return found
    if object_type == "reference":
        return dict.fromkeys(ids, _("the fund's reference data"))
    return None
