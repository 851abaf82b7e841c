from fundapp.demo.results import seed_results
from fundapp.results.models import AlignmentIndicator, FundIndicator, FundOutcome
from tests.routing import Route, statuses

SECRETARIAT = ("secretariat",)


def _seeded(f) -> None:
    """The demo framework and alignment indicators, seeded inside the test's transaction."""
    seed_results()


def outcome_id(f, code: str = "1.1") -> int:
    _seeded(f)
    return f._id(FundOutcome, FundOutcome.code, code)


def indicator_id(f, code: str = "1.1.a") -> int:
    _seeded(f)
    return f._id(FundIndicator, FundIndicator.code, code)


def alignment_id(f, code: str = "GR-MARKER") -> int:
    _seeded(f)
    return f._id(AlignmentIndicator, AlignmentIndicator.code, code)


ROUTES = [
    Route("results.framework", "/results/framework?area=TA2", statuses("all")),
    Route(
        "results.new_outcome",
        lambda f: f"/results/framework/areas/{f.area_id('TA1')}/outcomes/new",
        statuses(SECRETARIAT),
    ),
    Route(
        "results.new_outcome",
        lambda f: f"/results/framework/areas/{f.area_id('TA1')}/outcomes/new",
        statuses(SECRETARIAT, ok=302),
        method="POST",
        data={"code": "1.9", "statement": "A new outcome."},
    ),
    Route("results.edit_outcome", lambda f: f"/results/framework/outcomes/{outcome_id(f)}/edit", statuses(SECRETARIAT)),
    Route(
        "results.set_outcome_active",
        lambda f: f"/results/framework/outcomes/{outcome_id(f)}/active",
        statuses(SECRETARIAT, ok=302),
        method="POST",
        data={"active": "0"},
    ),
    Route(
        "results.delete_outcome",
        lambda f: f"/results/framework/outcomes/{outcome_id(f)}/delete",
        statuses(SECRETARIAT),
    ),
    Route(
        "results.delete_outcome",
        lambda f: f"/results/framework/outcomes/{outcome_id(f)}/delete",
        statuses(SECRETARIAT, ok=302),
        method="POST",
    ),
    Route(
        "results.new_indicator",
        lambda f: f"/results/framework/outcomes/{outcome_id(f)}/indicators/new",
        statuses(SECRETARIAT),
    ),
    Route(
        "results.edit_indicator",
        lambda f: f"/results/framework/indicators/{indicator_id(f)}/edit",
        statuses(SECRETARIAT),
    ),
    Route(
        "results.set_indicator_active",
        lambda f: f"/results/framework/indicators/{indicator_id(f)}/active",
        statuses(SECRETARIAT, ok=302),
        method="POST",
        data={"active": "0"},
    ),
    Route(
        "results.delete_indicator",
        lambda f: f"/results/framework/indicators/{indicator_id(f)}/delete",
        statuses(SECRETARIAT),
    ),
    Route(
        "results.delete_indicator",
        lambda f: f"/results/framework/indicators/{indicator_id(f)}/delete",
        statuses(SECRETARIAT, ok=302),
        method="POST",
    ),
    Route("results.alignment", "/results/alignment", statuses("all")),
    Route("results.new_alignment_indicator", "/results/alignment/new", statuses(SECRETARIAT)),
    Route(
        "results.edit_alignment_indicator",
        lambda f: f"/results/alignment/{alignment_id(f)}/edit",
        statuses(SECRETARIAT),
    ),
    Route(
        "results.set_alignment_indicator_active",
        lambda f: f"/results/alignment/{alignment_id(f)}/active",
        statuses(SECRETARIAT, ok=302),
        method="POST",
        data={"active": "0"},
    ),
    Route(
        "results.load_alignment_indicators",
        "/results/alignment/load",
        statuses(SECRETARIAT, ok=302),
        method="POST",
    ),
    Route("results.marker_minimums", "/results/alignment/markers", statuses(SECRETARIAT, ok=302), method="POST"),
]
