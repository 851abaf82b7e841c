import sqlalchemy as sa

from fundapp.auth.models import Organisation
from fundapp.reference.models import GcmObjective, ThematicArea


def test_landing_page_shows_the_fund_publicly(client):
    page = client.get("/").get_data(as_text=True)
    assert "Migration Multi-Partner Trust Fund" in page
    assert "70,000,000.00" in page
    assert "Whole-of-society approach" in page


def test_secretariat_edits_area_name_and_objectives(client, login, db):
    login("secretariat@example.org")
    area = db.session.scalar(sa.select(ThematicArea).where(ThematicArea.code == "TA3"))
    ids = db.session.scalars(sa.select(GcmObjective.id).where(GcmObjective.number.in_([9, 10, 11]))).all()
    response = client.post(f"/reference/areas/{area.id}/edit", data={"name": "Borders and crime", "objectives": ids})
    assert response.status_code == 302
    db.session.refresh(area)
    assert area.name == "Borders and crime"
    assert [o.number for o in area.objectives] == [9, 10, 11]


def test_area_without_objectives_is_refused_next_to_the_field(client, login, db):
    login("secretariat@example.org")
    area = db.session.scalar(sa.select(ThematicArea).where(ThematicArea.code == "TA3"))
    response = client.post(f"/reference/areas/{area.id}/edit", data={"name": "Borders"})
    assert response.status_code == 200
    assert b"needs at least one GCM objective" in response.data


def test_admin_sees_reference_read_only(client, login):
    login("admin@example.org")
    page = client.get("/reference").get_data(as_text=True)
    assert "Promoting fact-based" in page
    assert "/edit" not in page


def test_rename_unknown_kind_is_404(client, login):
    login("secretariat@example.org")
    assert client.get("/reference/users/1/rename").status_code == 404


def test_admin_creates_edits_and_deactivates_an_organisation(client, login, db):
    login("admin@example.org")
    response = client.post(
        "/admin/organisations/new",
        data={"code": "CSO-NEW", "name": "New NGO", "type": "civil_society", "country_code": "KEN"},
    )
    assert response.status_code == 302
    org = db.session.scalar(sa.select(Organisation).where(Organisation.code == "CSO-NEW"))
    assert org.country.name == "Kenya"
    client.post(
        f"/admin/organisations/{org.id}/edit", data={"name": "Renamed NGO", "type": "other", "country_code": ""}
    )
    db.session.refresh(org)
    assert (org.name, org.type.value, org.country_code) == ("Renamed NGO", "other", None)
    client.post(f"/admin/organisations/{org.id}/active", data={"active": "0"})
    db.session.refresh(org)
    assert not org.is_active


def test_duplicate_organisation_code_shown_next_to_field(client, login):
    login("admin@example.org")
    response = client.post(
        "/admin/organisations/new", data={"code": "IOM", "name": "x", "type": "other", "country_code": ""}
    )
    assert b"already exists" in response.data


def test_countries_filter_by_region(client, login):
    login("secretariat@example.org")
    page = client.get("/reference/countries?region=009").get_data(as_text=True)
    assert "Fiji" in page
    assert "Germany" not in page
