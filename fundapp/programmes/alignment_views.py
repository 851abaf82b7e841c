"""Alignment pages: the secretariat's assessment of a programme, and the fund-level alignment dashboard."""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from fundapp.core import clock
from fundapp.core.errors import DomainError, ValidationFailed
from fundapp.core.extensions import db
from fundapp.core.permissions import Role, role_required
from fundapp.programmes import alignment, bp, permissions
from fundapp.programmes.views import _programme
from fundapp.reference.models import Marker
from fundapp.results import services as fund_results
from fundapp.results.alignment import MeasureKind


@bp.route("/programmes/<int:programme_id>/alignment", methods=["GET", "POST"])
@role_required(Role.secretariat)
def assess_alignment(programme_id: int):
    programme = _programme(programme_id)
    form = FlaskForm()
    occasions = alignment.occasions(programme)
    occasion = request.values.get("occasion", occasions[-1])
    if occasion not in occasions:
        abort(404)
    markers = list(db.session.scalars(sa.select(Marker).order_by(Marker.id)))
    active = fund_results.alignment_indicators(include_retired=False)
    indicators = [i for i in active if i.kind is not MeasureKind.marker]
    current = alignment.latest([programme.id]).get(programme.id)
    errors: dict[str, list[str]] = {}
    if form.validate_on_submit():
        marker_scores = {m.code: request.form.get(f"marker-{m.code}", "") for m in markers}
        values = {i.code: request.form.get(f"value-{i.code}", "") for i in indicators}
        try:
            row = alignment.assess(current_user, programme, occasion, clock.today(), marker_scores, values)
        except ValidationFailed as exc:
            errors = exc.errors
        except DomainError as exc:
            errors = {"_": [exc.message]}
        else:
            db.session.commit()
            flash(f"Alignment assessed ({alignment.occasion_label(occasion).lower()}): {row.overall}/100.", "success")
            return redirect(url_for("programmes.programme", programme_id=programme.id) + "#alignment")
    return render_template(
        "programmes/alignment_form.html",
        programme=programme,
        form=form,
        occasions=[(o, alignment.occasion_label(o)) for o in occasions],
        occasion=occasion,
        markers=markers,
        indicators=indicators,
        self_assessment=alignment.self_assessment(programme.document.concept_note),
        current=current,
        errors=errors,
        posted=request.form if request.method == "POST" else None,
        minimums=fund_results.marker_minimums(),
    )


@bp.route("/programmes/alignment")
@role_required(*permissions.PORTFOLIO_ROLES)
def alignment_dashboard():
    by_area, fund, (flagged, unassessed) = alignment.portfolio()
    if not current_user.has_any_role(*permissions.READ_ALL_ROLES):
        # Focal points see the fund's figures, not other organizations' programmes by name.
        flagged, unassessed = [], []
    principles = alignment.principles()
    return render_template(
        "programmes/alignment_dashboard.html",
        by_area=by_area,
        fund=fund,
        flagged=flagged,
        unassessed=unassessed,
        principles=principles,
        names={p.code: p.name for p in principles},
        fund_chart=alignment.chart(fund.principle_scores, principles) if fund else None,
        minimums=fund_results.marker_minimums(),
    )
