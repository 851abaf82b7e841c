from tests.routing import ROLES, Route, statuses

REFERENCE_READERS = ("admin", "secretariat")

ROUTES = [
    Route("reference.landing", "/", {"anonymous": 200, **dict.fromkeys(ROLES[1:], 302)}),
    Route("reference.index", "/reference", statuses(REFERENCE_READERS)),
    Route("reference.edit_area", lambda f: f"/reference/areas/{f.area_id('TA1')}/edit", statuses(("secretariat",))),
    Route(
        "reference.rename", lambda f: f"/reference/objectives/{f.objective_id(1)}/rename", statuses(("secretariat",))
    ),
    Route("reference.countries", "/reference/countries", statuses(REFERENCE_READERS)),
    Route("reference.currencies", "/reference/currencies", statuses(REFERENCE_READERS)),
    Route("reference.admin_organisations", "/admin/organisations", statuses(("admin",))),
    Route("reference.new_organisation", "/admin/organisations/new", statuses(("admin",))),
    Route(
        "reference.edit_organisation",
        lambda f: f"/admin/organisations/{f.organisation_id('UNDP')}/edit",
        statuses(("admin",)),
    ),
    Route(
        "reference.set_organisation_active",
        lambda f: f"/admin/organisations/{f.organisation_id('WMO')}/active",
        statuses(("admin",), ok=302),
        method="POST",
        data={"active": "1"},
    ),
]
