"""Builders for pipeline tests: endorsed notes with chosen scores, through the services, on one meeting."""

from decimal import Decimal

from fundapp.committee import services
from fundapp.committee.models import ItemKind, Meeting, Outcome
from fundapp.demo.committee import seed_committee
from tests.committee.decision_helpers import eligible_note, meeting_in_session, score_all, vote_all
from tests.concept_notes.helpers import org, user

CHAIR = "chair@example.org"
SECRETARIAT = "secretariat@example.org"


def scores(value: int, feasibility: int | None = None) -> dict[str, int]:
    """Every criterion scored `value` (feasibility apart, to separate close totals). With the default weights
    (25/25/20/15/15) the weighted total is 25 × (value − 1) + 5 × (feasibility − value): scores(4) is 75.00,
    scores(4, 3) is 70.00, scores(3) is 50.00."""
    base = dict.fromkeys(("RELEVANCE", "PRINCIPLES", "FEASIBILITY", "VALUE", "SUSTAINABILITY"), value)
    if feasibility is not None:
        base["FEASIBILITY"] = feasibility
    return base


def undp_note_kwargs(title: str = "Skills recognition") -> dict:
    """A note led by UNDP with UNFPA, in Nepal only: member1 (UNDP) is recused, member3 (ILO) is not."""
    return {
        "org_code": "UNDP",
        "email": "applicant@example.org",
        "partners": [(org("UNFPA").id, Decimal("400000.00"))],
        "country_codes": ["NPL"],
        "title": title,
    }


def endorsed_note(meeting: Meeting | None, score_values: dict[str, int], **kwargs):
    """A note reviewed with these scores by every non-recused member, closed, endorsed at the meeting."""
    seed_committee()
    note = eligible_note(**kwargs)
    services.open_review(user(SECRETARIAT), note)
    score_all(note, score_values)
    services.close_review(user(CHAIR), note)
    meeting = meeting or meeting_in_session(title="Pipeline meeting")
    item = services.add_item(user(SECRETARIAT), meeting, ItemKind.endorsement, note)
    vote_all(item)
    services.record_decision(user(CHAIR), item, services.DecisionInput(Outcome.endorse))
    return note
