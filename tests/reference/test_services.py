import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from fundapp.auth.models import Organisation, OrganisationType
from fundapp.core.errors import DomainError
from fundapp.reference import services
from fundapp.reference.models import Country, Currency, GcmObjective, GuidingPrinciple, Marker, ThematicArea


def _count(db, model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_reference_data_is_complete(db):
    assert _count(db, GcmObjective) == 23
    assert _count(db, ThematicArea) == 5
    assert _count(db, GuidingPrinciple) == 10
    assert _count(db, Marker) == 3
    assert _count(db, Currency) >= 170
    assert db.session.get(Currency, "EUR").name == "Euro"
    assert (
        _count(db, Organisation.__table__.select().where(Organisation.type == OrganisationType.un_entity).subquery())
        == 34
    )


def test_objectives_can_sit_in_more_than_one_area(db):
    objective = db.session.scalar(sa.select(GcmObjective).where(GcmObjective.number == 22))
    assert sorted(a.code for a in objective.thematic_areas) == ["TA4", "TA5"]


@pytest.mark.parametrize(
    ("code", "region", "sub_region"),
    [
        ("MEX", "Americas", "Latin America and the Caribbean"),
        ("MAR", "Africa", "Northern Africa"),
        ("BGD", "Asia", "Southern Asia"),
        ("DEU", "Europe", "Western Europe"),
    ],
)
def test_countries_carry_m49_regions(db, code, region, sub_region):
    country = db.session.get(Country, code)
    assert (country.region.name, country.sub_region.name) == (region, sub_region)


def test_every_country_has_a_region_except_antarctica(db):
    missing = db.session.scalars(sa.select(Country.code).where(Country.region_code.is_(None))).all()
    assert missing == []


def test_load_is_idempotent_and_keeps_edits(db, app, user):
    area = db.session.scalar(sa.select(ThematicArea).where(ThematicArea.code == "TA1"))
    services.rename(user("secretariat@example.org"), area, "Data and evidence")
    created = services.load_reference(app.config["REFERENCE_DATA_FILE"])
    assert sum(created.values()) == 0
    assert area.name == "Data and evidence"
    assert _count(db, ThematicArea) == 5


def test_another_fund_loads_its_own_file(db, app, tmp_path):
    data = json.loads(Path(app.config["REFERENCE_DATA_FILE"]).read_text(encoding="utf-8"))
    data["thematic_areas"].append({"code": "TA6", "name": "Climate mobility", "objectives": [2, 5]})
    data["un_entities"].append({"code": "IFRC", "name": "Red Cross and Red Crescent"})
    path = tmp_path / "other.json"
    path.write_text(json.dumps(data))
    created = services.load_reference(path)
    assert created["thematic_areas"] == 1
    assert created["organisations"] == 1
    area = db.session.scalar(sa.select(ThematicArea).where(ThematicArea.code == "TA6"))
    assert [o.number for o in area.objectives] == [2, 5]


def test_secretariat_changes_the_area_mapping(db, user):
    area = db.session.scalar(sa.select(ThematicArea).where(ThematicArea.code == "TA2"))
    ids = db.session.scalars(sa.select(GcmObjective.id).where(GcmObjective.number.in_([2, 8]))).all()
    services.set_area_objectives(user("secretariat@example.org"), area, list(ids))
    assert [o.number for o in area.objectives] == [2, 8]
    with pytest.raises(DomainError):
        services.set_area_objectives(user("secretariat@example.org"), area, [])


def test_rename_refuses_blank(db, user):
    principle = db.session.scalar(sa.select(GuidingPrinciple).where(GuidingPrinciple.code == "a"))
    with pytest.raises(DomainError):
        services.rename(user("secretariat@example.org"), principle, "   ")


def test_organisation_codes_are_unique_case_insensitively(db, user):
    admin = user("admin@example.org")
    services.create_organisation(admin, "CSO-X", "Some NGO", OrganisationType.civil_society, "KEN")
    with pytest.raises(services.DuplicateCode):
        services.create_organisation(admin, "cso-x", "Other", OrganisationType.civil_society)
    with pytest.raises(DomainError):
        services.create_organisation(admin, "CSO-Y", "Other", OrganisationType.civil_society, "XXX")


def test_update_area_changes_name_and_objectives_or_neither(db, user):
    secretariat = user("secretariat@example.org")
    area = db.session.scalar(sa.select(ThematicArea).where(ThematicArea.code == "TA2"))
    ids = db.session.scalars(sa.select(GcmObjective.id).where(GcmObjective.number.in_([2, 8]))).all()
    services.update_area(secretariat, area, "Protection", list(ids))
    assert (area.name, [o.number for o in area.objectives]) == ("Protection", [2, 8])
    with pytest.raises(DomainError) as refused:
        services.update_area(secretariat, area, "Renamed", [])
    assert refused.value.field == "objectives"


def test_reference_overview_holds_every_list_and_count(db):
    overview = services.reference_overview()
    assert [o.number for o in overview["objectives"]] == list(range(1, 24))
    assert overview["counts"]["un_entities"] > 0
    assert overview["counts"]["countries"] == len(services.countries())
    assert [level.score for level in overview["levels"]] == sorted(level.score for level in overview["levels"])


def test_country_lists_filter_by_region(db):
    oceania = services.countries_with_regions("009")
    assert "Fiji" in {c.name for c in oceania}
    assert {c.region_code for c in oceania} == {"009"}
    page = services.country_page("009", page=1)
    assert page.total == len(oceania)
    assert "009" in {r.code for r in services.regions()}


def test_organisation_list_filters_in_sql(db):
    un = services.organisations(services.OrganisationFilters(org_type="un_entity"))
    assert un
    assert {o.type for o in un} == {OrganisationType.un_entity}
    found = services.organisations(services.OrganisationFilters(q="unhcr"))
    assert [o.code for o in found] == ["UNHCR"]
    assert services.organisation_page(services.OrganisationFilters(q="unhcr")).total == 1
    assert services.organisations(services.OrganisationFilters(status="inactive")) == []
