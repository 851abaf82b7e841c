"""The search box: concept notes, joint programmes, donors and organizations, only what the user may open.

Each domain answers with a SELECT over what the user may open (its visibility rule as an SQL filter:
`concept_notes.services.search_notes`, `programmes.services.search_programmes`,
`contributions.services.search_donors`, `auth.services.search_organisations`); they are put together with
UNION ALL, counted by kind and paged through in SQL, and the page's hits are loaded with one query per kind.
Five to seven queries whatever the data.
"""

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import url_for

from fundapp.auth import services as auth_services
from fundapp.auth.models import User
from fundapp.concept_notes import services as notes
from fundapp.concept_notes.workflow import status_label
from fundapp.contributions import services as contributions
from fundapp.core.extensions import db
from fundapp.core.i18n import _, _l
from fundapp.core.permissions import Role
from fundapp.programmes import services as programmes
from fundapp.programmes.workflow import STATUS_LABELS as PROGRAMME_STATUS

#: The kinds of result, in the order they are listed within a rank, with their headings.
KINDS = {
    "note": _l("Concept notes"),
    "programme": _l("Joint programmes"),
    "donor": _l("Donors"),
    "organisation": _l("Organizations"),
}
#: A hit's kind, in the singular.
KIND_LABELS = {
    "note": _l("Concept note"),
    "programme": _l("Joint programme"),
    "donor": _l("Donor"),
    "organisation": _l("Organization"),
}
PER_PAGE = 20


@dataclass(frozen=True)
class Hit:
    kind: str
    title: str
    url: str
    detail: str = ""


@dataclass
class Results:
    """One page of hits, with the same attributes as a Flask-SQLAlchemy Pagination (the pagination macro)."""

    query: str
    kind: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    items: list[Hit] = field(default_factory=list)
    page: int = 1
    per_page: int = PER_PAGE

    @property
    def total(self) -> int:
        return self.counts.get(self.kind, 0) if self.kind else sum(self.counts.values())

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def _selects(user: User, query: str) -> list[sa.Select]:
    found = [
        notes.search_notes(user, query),
        programmes.search_programmes(user, query),
        contributions.search_donors(user, query),
        auth_services.search_organisations(user, query),
    ]
    return [select for select in found if select is not None]


def _note_hits(ids: list[int]) -> dict[int, Hit]:
    return {
        n.id: Hit(
            "note",
            f"{n.reference} {n.title or _('(untitled)')}",
            url_for("concept_notes.detail", note_id=n.id),
            _(
                "%(status)s · lead %(organisation)s · %(call)s",
                status=status_label(n.status),
                organisation=n.organisation.code,
                call=n.call.title,
            ),
        )
        for n in notes.notes_by_id(ids).values()
    }


def _programme_hits(ids: list[int]) -> dict[int, Hit]:
    return {
        p.id: Hit(
            "programme",
            f"{p.reference} {p.title}",
            url_for("programmes.programme", programme_id=p.id),
            _(
                "%(status)s · from %(note)s",
                status=PROGRAMME_STATUS.get(p.status, p.status),
                note=p.document.concept_note.reference,
            ),
        )
        for p in programmes.programmes_by_id(ids).values()
    }


def _donor_hits(user: User, ids: list[int]) -> dict[int, Hit]:
    # The secretariat opens a donor's page; a donor user its own portal (the donor page sends it there too).
    own = not user.has_role(Role.secretariat)
    return {
        d.id: Hit(
            "donor",
            d.name,
            url_for("contributions.portal") if own else url_for("contributions.donor", donor_id=d.id),
            f"{d.donor_type.label} · {d.organisation.code}",
        )
        for d in contributions.donors_by_id(ids).values()
    }


def _organisation_hits(user: User, ids: list[int]) -> dict[int, Hit]:
    admin = user.has_role(Role.admin)
    hits = {}
    for o in auth_services.organisations_by_id(ids).values():
        if admin:
            url, detail = (
                url_for("reference.edit_organisation", org_id=o.id),
                _("%(type)s · its record", type=o.type.label),
            )
        else:
            url, detail = (
                url_for("programmes.portfolio", organisation=o.id),
                _("%(type)s · its joint programmes", type=o.type.label),
            )
        hits[o.id] = Hit("organisation", f"{o.name} ({o.code})", url, detail)
    return hits


def search(user: User, query: str, kind: str = "", page: int = 1, per_page: int = PER_PAGE) -> Results:
    """One page of what the user may open that matches the query (every word), best matches first."""
    kind = kind if kind in KINDS else ""
    page = max(page, 1)
    results = Results(query=(query or "").strip(), kind=kind, page=page, per_page=per_page)
    selects = _selects(user, results.query)
    if not selects:
        return results
    union = sa.union_all(*selects).subquery()
    results.counts = dict(db.session.execute(sa.select(union.c.kind, sa.func.count()).group_by(union.c.kind)).all())
    order = sa.case({k: i for i, k in enumerate(KINDS)}, value=union.c.kind)
    rows = db.session.execute(
        sa.select(union.c.kind, union.c.id)
        .where(union.c.kind == kind if kind else sa.true())
        .order_by(union.c.rank, order, union.c.title, union.c.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    ids: dict[str, list[int]] = {k: [] for k in KINDS}
    for row_kind, row_id in rows:
        ids[row_kind].append(row_id)
    loaded = {
        "note": _note_hits(ids["note"]) if ids["note"] else {},
        "programme": _programme_hits(ids["programme"]) if ids["programme"] else {},
        "donor": _donor_hits(user, ids["donor"]) if ids["donor"] else {},
        "organisation": _organisation_hits(user, ids["organisation"]) if ids["organisation"] else {},
    }
    results.items = [loaded[row_kind][row_id] for row_kind, row_id in rows if row_id in loaded[row_kind]]
    return results
