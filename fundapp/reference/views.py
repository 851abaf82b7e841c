"""Reference pages, the public landing page and the organisation administration."""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload

from fundapp.auth.models import Organisation, OrganisationType
from fundapp.core.errors import DomainError
from fundapp.core.extensions import db
from fundapp.core.permissions import Role, role_required
from fundapp.reference import bp, permissions, services
from fundapp.reference.forms import OrganisationForm, RenameForm, ThematicAreaForm
from fundapp.reference.models import (
    Country,
    Currency,
    GcmObjective,
    GuidingPrinciple,
    Marker,
    MarkerLevel,
    Region,
    ThematicArea,
)

#: Kinds whose names the secretariat may edit through the rename page.
RENAMEABLE = {"objectives": GcmObjective, "principles": GuidingPrinciple, "markers": Marker}


@bp.app_context_processor
def inject_fund() -> dict:
    return {"fund": services.get_fund()}


@bp.route("/")
def landing():
    """Public front door: what the fund is; signed-in users go to their home page."""
    if current_user.is_authenticated:
        return redirect(url_for("auth.home"))
    principles = db.session.scalars(sa.select(GuidingPrinciple).order_by(GuidingPrinciple.position)).all()
    return render_template("reference/landing.html", areas=services.thematic_areas(), principles=principles)


@bp.route("/reference")
@role_required(*permissions.VIEW_ROLES)
def index():
    principles = db.session.scalars(sa.select(GuidingPrinciple).order_by(GuidingPrinciple.position)).all()
    markers = db.session.scalars(sa.select(Marker).options(selectinload(Marker.principle)).order_by(Marker.id)).all()
    objectives = db.session.scalars(
        sa.select(GcmObjective).options(selectinload(GcmObjective.thematic_areas)).order_by(GcmObjective.number)
    ).all()
    counts = {
        "countries": db.session.scalar(sa.select(sa.func.count()).select_from(Country)),
        "currencies": db.session.scalar(sa.select(sa.func.count()).select_from(Currency)),
        "un_entities": db.session.scalar(
            sa.select(sa.func.count()).where(Organisation.type == OrganisationType.un_entity)
        ),
    }
    return render_template(
        "reference/index.html",
        areas=services.thematic_areas(),
        objectives=objectives,
        principles=principles,
        markers=markers,
        levels=db.session.scalars(sa.select(MarkerLevel).order_by(MarkerLevel.score)).all(),
        counts=counts,
        can_edit=permissions.can_edit_reference(current_user),
    )


@bp.route("/reference/areas/<int:area_id>/edit", methods=["GET", "POST"])
@role_required(Role.secretariat)
def edit_area(area_id: int):
    area = db.get_or_404(ThematicArea, area_id)
    objectives = db.session.scalars(sa.select(GcmObjective).order_by(GcmObjective.number)).all()
    form = ThematicAreaForm(obj=area, objective_choices=[(o.id, str(o)) for o in objectives])
    if request.method == "GET":
        form.objectives.data = [o.id for o in area.objectives]
    if form.validate_on_submit():
        try:
            services.rename(current_user, area, form.name.data)
            services.set_area_objectives(current_user, area, form.objectives.data)
        except DomainError as exc:
            getattr(form, exc.field or "name").errors.append(exc.message)
        else:
            db.session.commit()
            flash(f"{area.code} saved.", "success")
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
        try:
            services.rename(current_user, item, form.name.data)
        except DomainError as exc:
            form.name.errors.append(exc.message)
        else:
            db.session.commit()
            flash("Name saved.", "success")
            return redirect(url_for("reference.index"))
    return render_template("reference/rename.html", form=form, item=item, kind=kind, current_name=current_name)


def _countries_query() -> tuple[sa.Select, str]:
    region = request.args.get("region", "")
    query = sa.select(Country).options(selectinload(Country.region), selectinload(Country.sub_region))
    if region:
        query = query.where(Country.region_code == region)
    return query.order_by(Country.name), region


@bp.route("/reference/countries")
@role_required(*permissions.VIEW_ROLES)
def countries():
    query, region = _countries_query()
    page = db.paginate(query, per_page=50, max_per_page=200, error_out=False)
    regions = db.session.scalars(sa.select(Region).where(Region.level == "region").order_by(Region.name)).all()
    return render_template("reference/countries.html", page=page, regions=regions, region=region)


@bp.route("/reference/countries.csv")
@role_required(*permissions.VIEW_ROLES)
def countries_csv():
    from fundapp.core.tabular import csv_response

    query, _region = _countries_query()
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
        for c in db.session.scalars(query)
    )
    header = ["iso3", "iso2", "name", "region_code", "region", "sub_region_code", "sub_region"]
    return csv_response("countries.csv", header, rows)


@bp.route("/reference/currencies")
@role_required(*permissions.VIEW_ROLES)
def currencies():
    page = db.paginate(sa.select(Currency).order_by(Currency.code), per_page=50, max_per_page=200, error_out=False)
    return render_template("reference/currencies.html", page=page)


@bp.route("/reference/currencies.csv")
@role_required(*permissions.VIEW_ROLES)
def currencies_csv():
    from fundapp.core.tabular import csv_response

    rows = ([c.code, c.name, c.numeric] for c in db.session.scalars(sa.select(Currency).order_by(Currency.code)))
    return csv_response("currencies.csv", ["code", "name", "numeric"], rows)


# Organisations (administration) -------------------------------------------------------------------


def _country_choices() -> list[tuple[str, str]]:
    return [(c.code, c.name) for c in db.session.scalars(sa.select(Country).order_by(Country.name))]


def _organisations_query() -> tuple[sa.Select, dict[str, str]]:
    args = {"org_type": request.args.get("type", ""), "status": request.args.get("status", "")}
    args["q"] = request.args.get("q", "").strip()
    query = sa.select(Organisation).options(selectinload(Organisation.country))
    if args["org_type"] in OrganisationType.__members__:
        query = query.where(Organisation.type == OrganisationType(args["org_type"]))
    if args["status"] in ("active", "inactive"):
        query = query.where(Organisation.is_active.is_(args["status"] == "active"))
    if args["q"]:
        like = f"%{args['q'].lower()}%"
        query = query.where(
            sa.or_(sa.func.lower(Organisation.name).like(like), sa.func.lower(Organisation.code).like(like))
        )
    return query.order_by(Organisation.name), args


@bp.route("/admin/organisations")
@role_required(Role.admin)
def admin_organisations():
    query, args = _organisations_query()
    page = db.paginate(query, per_page=25, max_per_page=100, error_out=False)
    return render_template("reference/organisations.html", page=page, types=list(OrganisationType), **args)


@bp.route("/admin/organisations.csv")
@role_required(Role.admin)
def admin_organisations_csv():
    from fundapp.core.tabular import csv_response

    query, _args = _organisations_query()
    rows = (
        [o.code, o.name, o.type.value, o.country_code, o.un_network_executive_committee, o.is_active]
        for o in db.session.scalars(query)
    )
    header = ["code", "name", "type", "country", "un_network_executive_committee", "active"]
    return csv_response("organisations.csv", header, rows)


@bp.route("/admin/organisations/new", methods=["GET", "POST"])
@role_required(Role.admin)
def new_organisation():
    form = OrganisationForm(country_choices=_country_choices())
    if form.validate_on_submit():
        try:
            org = services.create_organisation(
                current_user, form.code.data, form.name.data, OrganisationType(form.type.data), form.country_code.data
            )
        except DomainError as exc:
            getattr(form, exc.field or "name").errors.append(exc.message)
        else:
            db.session.commit()
            flash(f"Organisation {org.name} created.", "success")
            return redirect(url_for("reference.admin_organisations"))
    return render_template("reference/organisation_form.html", form=form, org=None)


@bp.route("/admin/organisations/<int:org_id>/edit", methods=["GET", "POST"])
@role_required(Role.admin)
def edit_organisation(org_id: int):
    org = db.get_or_404(Organisation, org_id)
    form = OrganisationForm(obj=org, country_choices=_country_choices())
    if request.method == "GET":
        form.type.data = org.type.value
        form.country_code.data = org.country_code or ""
    del form.code  # the code is cited elsewhere: shown, never changed
    if form.validate_on_submit():
        try:
            services.update_organisation(
                current_user, org, form.name.data, OrganisationType(form.type.data), form.country_code.data
            )
        except DomainError as exc:
            getattr(form, exc.field or "name").errors.append(exc.message)
        else:
            db.session.commit()
            flash(f"Organisation {org.name} saved.", "success")
            return redirect(url_for("reference.admin_organisations"))
    return render_template("reference/organisation_form.html", form=form, org=org)


@bp.route("/admin/organisations/<int:org_id>/active", methods=["POST"])
@role_required(Role.admin)
def set_organisation_active(org_id: int):
    org = db.get_or_404(Organisation, org_id)
    active = request.form.get("active") == "1"
    try:
        services.set_organisation_active(current_user, org, active)
    except DomainError as exc:
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash(f"{org.name} {'reactivated' if active else 'deactivated'}.", "success")
    return redirect(url_for("reference.admin_organisations"))
