from datetime import date

from fundapp.programmes import reporting, services
from fundapp.programmes.models import JointProgramme
from tests.concept_notes.helpers import org, user
from tests.programmes.helpers import make_programme
from tests.programmes.results_helpers import FOCAL, with_framework
from tests.routing import Route, statuses

SECRETARIAT = ("secretariat",)
READERS = ("secretariat", "committee_member", "committee_chair", "donor", "admin")


def _programme(f, active: bool = False) -> int:
    """A UNICEF-led programme with ILO (applicant@ is UNDP's focal point: outside it, a 404)."""
    programme = make_programme()
    if active:
        tranche = services.plan_tranche(
            user("secretariat@example.org"), programme, org("UNICEF").id, date(2026, 1, 15), "1000.00"
        )
        services.release_tranche(user("secretariat@example.org"), tranche, date(2026, 1, 15))
    f.session.commit()
    return programme.id


def _tranche(f) -> int:
    programme = f.session.get(JointProgramme, _programme(f))
    tranche = services.plan_tranche(
        user("secretariat@example.org"), programme, org("ILO").id, date(2026, 1, 15), "5000.00"
    )
    f.session.commit()
    return tranche.id


ROUTES = [
    Route("programmes.portfolio", "/programmes?status=active&area=TA4", statuses("all")),
    Route("programmes.portfolio_csv", "/programmes.csv", statuses("all")),
    Route("programmes.programme", lambda f: f"/programmes/{_programme(f)}", {**statuses(READERS), "applicant": 404}),
    Route(
        "programmes.dossier_zip",
        lambda f: f"/programmes/{_programme(f)}/dossier.zip",
        {**statuses(("secretariat", "committee_member", "committee_chair", "donor")), "applicant": 404, "admin": 404},
    ),
    Route("programmes.edit_budget", lambda f: f"/programmes/{_programme(f)}/budget", statuses(SECRETARIAT)),
    Route(
        "programmes.edit_budget",
        lambda f: f"/programmes/{_programme(f)}/budget",
        statuses(SECRETARIAT, ok=302),
        method="POST",
        data={"organisation": "UNICEF", "staff": "400000.00", "travel": "100000.00"},
    ),
    Route("programmes.new_tranche", lambda f: f"/programmes/{_programme(f)}/tranches/new", statuses(SECRETARIAT)),
    Route(
        "programmes.new_tranche",
        lambda f: f"/programmes/{_programme(f)}/tranches/new",
        statuses(SECRETARIAT, ok=302),
        method="POST",
        data={"organisation": "ILO", "planned_on": "2026-02-01", "amount": "1000.00"},
    ),
    # A tranche without conditions: the secretariat releases it; the chair only releases blocked ones.
    Route("programmes.release_tranche", lambda f: f"/programmes/tranches/{_tranche(f)}/release", statuses(SECRETARIAT)),
    Route(
        "programmes.release_tranche",
        lambda f: f"/programmes/tranches/{_tranche(f)}/release",
        statuses(SECRETARIAT, ok=302),
        method="POST",
        data={"released_on": "2026-01-20"},
    ),
    Route(
        "programmes.record_expenditure",
        lambda f: f"/programmes/{_programme(f, active=True)}/expenditure",
        statuses(SECRETARIAT),
    ),
    Route(
        "programmes.record_expenditure",
        lambda f: f"/programmes/{_programme(f, active=True)}/expenditure",
        statuses(SECRETARIAT, ok=302),
        method="POST",
        data={
            "organisation": "UNICEF",
            "year": "2026",
            "kind": "interim",
            "amount": "500.00",
            "reported_on": "2026-03-01",
        },
    ),
    Route(
        "programmes.record_refund", lambda f: f"/programmes/{_programme(f, active=True)}/refund", statuses(SECRETARIAT)
    ),
    Route(
        "programmes.close_operationally",
        lambda f: f"/programmes/{_programme(f, active=True)}/close-operationally",
        statuses(SECRETARIAT),
    ),
    Route(
        "programmes.close_financially",
        lambda f: f"/programmes/{_programme(f, active=True)}/close-financially",
        statuses(SECRETARIAT),
    ),
]


def _report(f, status: str = "draft") -> int:
    """A report of a UNICEF-led programme (applicant@, UNDP, is outside it) in the given status."""
    programme, (people, policy) = with_framework(f.session.get(JointProgramme, _programme(f)))
    report = reporting.start_report(user(FOCAL), programme, "2026-H1")
    if status != "draft":
        values = {people.id: ("10", {"sex": {"female": "6", "male": "4"}}), policy.id: ("0", {})}
        reporting.save_report(user(FOCAL), report, "Narrative.", "", values)
        reporting.submit_report(user(FOCAL), report, date(2026, 7, 1))
    if status == "approved":
        reporting.approve_report(user("secretariat@example.org"), report, date(2026, 7, 2))
    f.session.commit()
    return report.id


#: Readers of a programme who may not edit its framework; the outside focal point gets 404.
EDITORS = {**statuses(SECRETARIAT), "applicant": 404}
NOT_DRAFT = {"committee_member": 404, "committee_chair": 404, "donor": 404, "admin": 404}

ROUTES += [
    Route("programmes.results_dashboard", "/programmes/results", statuses("all")),
    Route("programmes.new_outcome", lambda f: f"/programmes/{_programme(f)}/results/outcomes/new", EDITORS),
    Route(
        "programmes.new_outcome",
        lambda f: f"/programmes/{_programme(f)}/results/outcomes/new",
        {**statuses(SECRETARIAT, ok=302), "applicant": 404},
        method="POST",
        data={"code": "1", "statement": "An outcome."},
    ),
    Route("programmes.new_output", lambda f: f"/programmes/{_programme(f)}/results/outputs/new", EDITORS),
    Route("programmes.new_indicator", lambda f: f"/programmes/{_programme(f)}/results/indicators/new", EDITORS),
    # Only the programme's own focal points start reports (applicant@ is outside it).
    Route(
        "programmes.new_report",
        lambda f: f"/programmes/{_programme(f)}/reports/new",
        {**statuses(()), "applicant": 404},
    ),
    # A draft is for the programme's focal points and the secretariat only.
    Route(
        "programmes.report",
        lambda f: f"/programmes/reports/{_report(f)}",
        {**statuses(SECRETARIAT), "applicant": 404, **NOT_DRAFT},
    ),
    # Donors see approved reports only.
    Route(
        "programmes.report",
        lambda f: f"/programmes/reports/{_report(f, 'submitted')}",
        {**statuses(READERS), "applicant": 404, "donor": 404},
    ),
    Route(
        "programmes.report",
        lambda f: f"/programmes/reports/{_report(f, 'approved')}",
        {**statuses(READERS), "applicant": 404},
    ),
    Route(
        "programmes.edit_report",
        lambda f: f"/programmes/reports/{_report(f)}/edit",
        {**statuses(()), "applicant": 404, **NOT_DRAFT},
    ),
    Route(
        "programmes.review_report",
        lambda f: f"/programmes/reports/{_report(f, 'submitted')}/review",
        {**statuses(SECRETARIAT, ok=302), "applicant": 404, "donor": 404},
        method="POST",
        data={"decision": "return", "comment": "Please add sources."},
    ),
]

ROUTES += [
    Route("programmes.alignment_dashboard", "/programmes/alignment", statuses("all")),
    Route("programmes.assess_alignment", lambda f: f"/programmes/{_programme(f)}/alignment", statuses(SECRETARIAT)),
    Route(
        "programmes.assess_alignment",
        lambda f: f"/programmes/{_programme(f)}/alignment",
        statuses(SECRETARIAT, ok=302),
        method="POST",
        data={"occasion": "approval", "marker-HR": "2", "marker-GEN": "3", "marker-CHILD": "1"},
    ),
]


def _partner_programme(f) -> int:
    """A UNICEF-led programme in which UNDP participates: applicant@ (UNDP) is one of its focal points."""
    programme = make_programme(budget={"UNICEF": "535000.00", "UNDP": "214000.00"})
    f.session.commit()
    return programme.id


def _partner_report(f) -> int:
    """A draft report of that programme, started by the lead (UNICEF)."""
    programme, _indicators = with_framework(f.session.get(JointProgramme, _partner_programme(f)))
    report = reporting.start_report(user(FOCAL), programme, "2026-H1")
    f.session.commit()
    return report.id


MESSAGE = {"body": "When will the first tranche reach UNICEF?"}
#: The discussion: the programme's organizations and the secretariat write, the committee reads, and donors and
#: administrators, who read the programme, never see its discussion.
DISCUSSION = {**statuses(("secretariat", "committee_member", "committee_chair")), "donor": 404, "admin": 404}
DISCUSSION_POST = {**DISCUSSION, "secretariat": 302, "committee_member": 403, "committee_chair": 403}

ROUTES += [
    # Joint ownership: applicant@ (UNDP) participates in this UNICEF-led programme.
    Route("programmes.programme", lambda f: f"/programmes/{_partner_programme(f)}", statuses((*READERS, "applicant"))),
    Route(
        "programmes.edit_report",
        lambda f: f"/programmes/reports/{_partner_report(f)}/edit",
        {**statuses(("applicant",)), **NOT_DRAFT},
    ),
    Route(
        "programmes.discussion",
        lambda f: f"/programmes/{_programme(f)}/discussion",
        {**DISCUSSION, "applicant": 404},
    ),
    Route(
        "programmes.discussion",
        lambda f: f"/programmes/{_partner_programme(f)}/discussion",
        {**DISCUSSION, "applicant": 200},
    ),
    Route(
        "programmes.discussion",
        lambda f: f"/programmes/{_programme(f)}/discussion",
        {**DISCUSSION_POST, "applicant": 404},
        method="POST",
        data=MESSAGE,
    ),
    Route(
        "programmes.discussion",
        lambda f: f"/programmes/{_partner_programme(f)}/discussion",
        {**DISCUSSION_POST, "applicant": 302},
        method="POST",
        data=MESSAGE,
    ),
]
