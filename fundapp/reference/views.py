"""Reference pages, the public landing page and the organisation administration."""

from dataclasses import asdict

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from fundapp.auth.models import Organisation, OrganisationType
from fundapp.core import args as query_args
from fundapp.core.edge import domain_errors
from fundapp.core.extensions import db
from fundapp.core.i18n import _
from fundapp.core.permissions import Role, role_required
from fundapp.core.tabular import csv_response
from fundapp.reference import bp, permissions, services
from fundapp.reference.forms import OrganisationForm, RenameForm, ThematicAreaForm
from fundapp.reference.models import GcmObjective, GuidingPrinciple, Marker, ThematicArea

#: Kinds whose names the secretariat may edit through the rename page.
RENAMEABLE = {"objectives": GcmObjective, "principles": GuidingPrinciple, "markers": Marker}


@bp.app_context_processor
def inject_fund() -> dict:
    return {"fund": services.get_fund()}


def _page_arg() -> int:
    return query_args.page()


@bp.route("/")
def landing():
    """Public front door: what the fund is; signed-in users go to their home page."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    return render_template(
        "reference/landing.html", areas=services.thematic_areas(), principles=services.guiding_principles()
    )


@bp.route("/reference")
@role_required(*permissions.VIEW_ROLES)
def index():
    return render_template(
        "reference/index.html",
        **services.reference_overview(),
        can_edit=permissions.can_edit_reference(current_user),
        can_manage_organisations=permissions.can_manage_organisations,
    )


@bp.route("/reference/areas/<int:area_id>/edit", methods=["GET", "POST"])
@role_required(Role.secretariat)
def edit_area(area_id: int):
    area = db.get_or_404(ThematicArea, area_id)
    form = ThematicAreaForm(obj=area, objective_choices=services.objective_choices())
    if request.method == "GET":
        form.objectives.data = [o.id for o in area.objectives]
    if form.validate_on_submit():
        with domain_errors(form, default="name") as outcome:
            services.update_area(current_user, area, form.name.data, form.objectives.data)
        if outcome.ok:
            flash(_("%(code)s saved.", code=area.code), "success")
            return redirect(url_for("reference.index"))
    return render_template("reference/area_form.html", form=form, area=area)


@bp.route("/reference/<kind>/<int:item_id>/rename", methods=["GET", "POST"])
@role_required(Role.secretariat)
def rename(kind: str, item_id: int):
    model = RENAMEABLE.get(kind) or abort(404)
    item = db.get_or_404(model, item_id)
    current_name = item.title if isinstance(item, GcmObjective) else item.name
    form = RenameForm(data={"name": current_name})
    if form.validate_on_submit():
        with domain_errors(form, default="name") as outcome:
            services.rename(current_user, item, form.name.data)
        if outcome.ok:
            flash(_("Name saved."), "success")
            return redirect(url_for("reference.index"))
    return render_template("reference/rename.html", form=form, item=item, kind=kind, current_name=current_name)


@bp.route("/reference/countries")
@role_required(*permissions.VIEW_ROLES)
def countries():
    region = request.args.get("region", "")
    page = services.country_page(region, page=_page_arg())
    return render_template("reference/countries.html", page=page, regions=services.regions(), region=region)


@bp.route("/reference/countries.csv")
@role_required(*permissions.VIEW_ROLES)
def countries_csv():
    rows = (
        [
            c.code,
            c.alpha2,
            c.name,
            c.region_code,
            c.region.name if c.region else "",
            c.sub_region_code,
            c.sub_region.name if c.sub_region else "",
        ]
        for c in services.countries_with_regions(request.args.get("region", ""))
    )
    header = ["iso3", "iso2", "name", "region_code", "region", "sub_region_code", "sub_region"]
    return csv_response("countries.csv", header, rows)


@bp.route("/reference/currencies")
@role_required(*permissions.VIEW_ROLES)
def currencies():
    return render_template("reference/currencies.html", page=services.currency_page(page=_page_arg()))


@bp.route("/reference/currencies.csv")
@role_required(*permissions.VIEW_ROLES)
def currencies_csv():
    rows = ([c.code, c.name, c.numeric] for c in services.currencies())
    return csv_response("currencies.csv", ["code", "name", "numeric"], rows)


# Organisations (administration) -------------------------------------------------------------------


def _organisation_filters() -> services.OrganisationFilters:
    return services.OrganisationFilters(
        org_type=request.args.get("type", ""),
        status=request.args.get("status", ""),
        q=query_args.text("q"),
    )


@bp.route("/admin/organisations")
@role_required(Role.admin)
def admin_organisations():
    filters = _organisation_filters()
    page = services.organisation_page(filters, page=_page_arg())
    return render_template("reference/organisations.html", page=page, types=list(OrganisationType), **asdict(filters))


@bp.route("/admin/organisations.csv")
@role_required(Role.admin)
def admin_organisations_csv():
    rows = (
        [o.code, o.name, o.type.value, o.country_code, o.un_network_executive_committee, o.is_active]
        for o in services.organisations(_organisation_filters())
    )
    header = ["code", "name", "type", "country", "un_network_executive_committee", "active"]
    return csv_response("organisations.csv", header, rows)


@bp.route("/admin/organisations/new", methods=["GET", "POST"])
@role_required(Role.admin)
def new_organisation():
    form = OrganisationForm(country_choices=services.country_choices())
    if form.validate_on_submit():
        with domain_errors(form, default="name") as outcome:
            org = services.create_organisation(
                current_user, form.code.data, form.name.data, OrganisationType(form.type.data), form.country_code.data
            )
        if outcome.ok:
            flash(_("Organisation %(name)s created.", name=org.name), "success")
            return redirect(url_for("reference.admin_organisations"))
    return render_template("reference/organisation_form.html", form=form, org=None)


@bp.route("/admin/organisations/<int:org_id>/edit", methods=["GET", "POST"])
@role_required(Role.admin)
def edit_organisation(org_id: int):
    org = db.get_or_404(Organisation, org_id)
    form = OrganisationForm(obj=org, country_choices=services.country_choices())
    if request.method == "GET":
        form.type.data = org.type.value
        form.country_code.data = org.country_code or ""
    del form.code  # the code is cited elsewhere: shown, never changed
    if form.validate_on_submit():
        with domain_errors(form, default="name") as outcome:
            services.update_organisation(
                current_user, org, form.name.data, OrganisationType(form.type.data), form.country_code.data
            )
        if outcome.ok:
            flash(_("Organisation %(name)s saved.", name=org.name), "success")
            return redirect(url_for("reference.admin_organisations"))
    return render_template("reference/organisation_form.html", form=form, org=org)


@bp.route("/admin/organisations/<int:org_id>/active", methods=["POST"])
@role_required(Role.admin)
def set_organisation_active(org_id: int):
    org = db.get_or_404(Organisation, org_id)
    active = request.form.get("active") == "1"
    with domain_errors() as outcome:
        services.set_organisation_active(current_user, org, active)
    if outcome.ok:
        flash(
            _("%(name)s reactivated.", name=org.name) if active else _("%(name)s deactivated.", name=org.name),
            "success",
        )
    return redirect(url_for("reference.admin_organisations"))
