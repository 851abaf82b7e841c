"""Demo steering committee meetings (2020–2021), each step on its date, through the services so every rule applies.

Sixty eligible concept notes go before the committee over six meetings, ten at a time, in the order the
secretariat found them eligible. For each meeting the secretariat plans the meeting six weeks ahead and opens
the reviews; members score blind over the next weeks (deterministic, seeded scores around a level that fits the
note's fate); the chair closes the reviews a week before; on the day the committee meets with attendance,
recusals and votes, and decides. After an endorsement the secretariat prepares the light joint programme
document of the notes that go on to implementation; the committee funds ready ones at its next meetings, from
what the pools hold on that day. The outcome on 30 November 2021:

- 34 joint programmes identified (endorsed into the pipeline, not funded), 10 of them ready for
  implementation (approved document, planned to start in 2022 once funded);
- 12 funded, three at each meeting from July 2020 to July 2021, involving exactly 12 distinct participating UN
  organizations from several regions; each planned to start on the first of the month two weeks or more after
  its funding decision;
- 8 rejected and 6 deferred; the other eligible notes wait for a later review.

The fates are planned before the story runs (`plan_committee`), from the notes' plan and the pools' plan.
"""

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa

from fundapp.auth.models import Organisation, User
from fundapp.committee import services as committee_services
from fundapp.committee.models import ItemKind, Meeting, Outcome
from fundapp.committee.rules import Vote
from fundapp.committee.services import active_seats, criteria_for
from fundapp.concept_notes.models import ConceptNote
from fundapp.core.extensions import db
from fundapp.demo.concept_notes import NotePlan
from fundapp.demo.contributions import planned_pools
from fundapp.demo.story import DEMO_TODAY, Process, agenda
from fundapp.reference import services as reference

SEED = 20200312

MEETINGS = [
    ("First meeting of the steering committee, 2020", date(2020, 3, 12), "Geneva (virtual)"),
    ("Second meeting of the steering committee, 2020", date(2020, 7, 9), "Virtual"),
    ("Third meeting of the steering committee, 2020", date(2020, 11, 19), "Virtual"),
    ("First meeting of the steering committee, 2021", date(2021, 3, 18), "Virtual"),
    ("Second meeting of the steering committee, 2021", date(2021, 7, 15), "Geneva"),
    ("Third meeting of the steering committee, 2021", date(2021, 11, 18), "New York"),
]
#: Notes for endorsement per meeting.
PER_MEETING = 10
ENDORSEMENT_MEETINGS = 6
FUNDED, READY, REJECTED, DEFERRED = 12, 10, 8, 6
FUNDED_ORGS = 12
#: Notes funded at each meeting (by index in MEETINGS); each comes from an earlier meeting's endorsements.
FUNDED_AT = {1: 3, 2: 3, 3: 3, 4: 3}
#: Rejections and deferrals per endorsement meeting.
REJECTED_AT = [2, 1, 1, 2, 1, 1]
DEFERRED_AT = [1, 1, 1, 1, 1, 1]
#: Funded notes come from these meetings' endorsements (each needs its document before it is funded).
FUNDED_FROM = 4
#: Ready (not funded) notes come from these meetings' endorsements: their documents are the latest.
READY_FROM = (3, 4)
#: Organizations of the demo's focal points (applicant@ is UNDP's: it leads several funded programmes).
MUST_TAKE_PART = {"IOM", "UNICEF", "ILO"}
UNDP_LEADS = 2

#: Mean score (1–5) each fate centres on.
LEVELS = {"funded": 4.3, "ready": 4.0, "endorsed": 3.6, "deferred": 2.9, "rejected": 2.1}
COMMENTS = {
    "funded": ["Strong joint design with clear government ownership.", "Excellent whole-of-society approach."],
    "ready": ["Solid theory of change; budget well justified.", "Clear results framework."],
    "endorsed": ["Relevant, though the sustainability plan is thin.", "Good fit with the thematic area."],
    "deferred": ["The partnership arrangements need clarifying.", "Unclear added value of the joint approach."],
    "rejected": ["Weak link to the Global Compact objectives.", "Limited stakeholder participation."],
}
SHARED = {
    Outcome.reject: "The committee found the link to the Global Compact's objectives and the joint approach too weak.",
    Outcome.defer: "The committee would like to discuss this note again once the pipeline is clearer.",
}


class PlanError(RuntimeError):
    """The demo's notes and money cannot give the report's figures in a possible order."""


def first_of_month_after(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    return date(day.year + month // 12, month % 12 + 1, 1)


@dataclass
class ProgrammePlan:
    """The joint programme document of a note that goes on to implementation, and its funding."""

    note: NotePlan
    endorsed_at: int  # meeting index
    document_on: date
    starts_on: date
    ends_on: date
    funded_at: int | None = None  # meeting index; None: ready, not funded

    @property
    def funded_on(self) -> date | None:
        return None if self.funded_at is None else MEETINGS[self.funded_at][1]


@dataclass
class CommitteePlan:
    batches: list[list[NotePlan]]
    fates: dict[int, str]  # note plan index → fate
    programmes: list[ProgrammePlan] = field(default_factory=list)

    @property
    def funded(self) -> list[ProgrammePlan]:
        return [p for p in self.programmes if p.funded_at is not None]

    def funded_at(self, meeting: int) -> list[ProgrammePlan]:
        return [p for p in self.programmes if p.funded_at == meeting]


def _region(plan: NotePlan) -> str:
    return plan.region if plan.countries else "Global"


def _batches(plans: list[NotePlan]) -> list[list[NotePlan]]:
    """Twelve notes per endorsement meeting, in the order they became eligible, each eligible three weeks before."""
    eligible = sorted((p for p in plans if p.eligible_on), key=lambda p: (p.eligible_on, p.index))
    batches = []
    for index in range(ENDORSEMENT_MEETINGS):
        held_on = MEETINGS[index][1]
        batch = [p for p in eligible[index * PER_MEETING : (index + 1) * PER_MEETING] if p.eligible_on]
        late = [p for p in batch if p.eligible_on > held_on - timedelta(days=21)]
        if len(batch) < PER_MEETING or late:
            raise PlanError(f"Not enough notes eligible three weeks before {held_on}.")
        batches.append(batch)
    return batches


def _draws(note: NotePlan, purse: dict[str | None, Decimal], amount: Decimal) -> bool:
    """Draw an allocation as the ledger does (the area's earmarked pool, then unearmarked); False if it cannot."""
    earmarked = min(purse.get(note.area, Decimal(0)), amount)
    rest = amount - earmarked
    if rest > purse[None]:
        return False
    purse[note.area] = purse.get(note.area, Decimal(0)) - earmarked
    purse[None] -= rest
    return True


def _schedule_funding(chosen: list[tuple[int, NotePlan]]) -> list[tuple[int, int, NotePlan]] | None:
    """(funding meeting, endorsement meeting, note): in endorsement order, FUNDED_AT notes per meeting, each at a
    meeting after the one that endorsed it; None if the order is impossible."""
    ordered = sorted(chosen, key=lambda pair: (pair[0], pair[1].index))
    slots = [meeting for meeting, count in sorted(FUNDED_AT.items()) for _ in range(count)]
    schedule = [(slot, batch, note) for slot, (batch, note) in zip(slots, ordered, strict=True)]
    return schedule if all(batch < slot for slot, batch, _note in schedule) else None


def _fits_over_time(schedule: list[tuple[int, int, NotePlan]], rates: tuple[Decimal, Decimal]) -> bool:
    """Each funding meeting allocates only what the pools hold that day, after the earlier allocations."""
    isc_rate, fee_rate = rates
    drawn: dict[str | None, Decimal] = {}
    for meeting in sorted({slot for slot, _b, _n in schedule}):
        purse = planned_pools(MEETINGS[meeting][1], fee_rate)
        for pool, amount in drawn.items():
            purse[pool] = purse.get(pool, Decimal(0)) - amount
        before = dict(purse)
        for _slot, _batch, note in (s for s in schedule if s[0] == meeting):
            if not _draws(note, purse, note.total(isc_rate)):
                return False
        for pool, left in purse.items():
            drawn[pool] = drawn.get(pool, Decimal(0)) + before.get(pool, Decimal(0)) - left
    return True


def _acceptable(
    schedule: list[tuple[int, int, NotePlan]], rates: tuple[Decimal, Decimal], identified: set[str]
) -> bool:
    notes = [note for _s, _b, note in schedule]
    orgs = {code for note in notes for code in note.orgs}
    return (
        len(orgs) == FUNDED_ORGS
        and orgs >= MUST_TAKE_PART
        and orgs <= identified
        and sum(note.lead == "UNDP" for note in notes) >= UNDP_LEADS
        and len({_region(note) for note in notes}) >= 3
        and _fits_over_time(schedule, rates)
    )


def _choose_funded(
    rng: random.Random, batches: list[list[NotePlan]], rates: tuple[Decimal, Decimal]
) -> list[tuple[int, int, NotePlan]]:
    """12 notes endorsed at the first four meetings that involve exactly 12 distinct UN organizations (the
    focal points' among them, each with an IATI identifier), several regions, and that the pools can fund on the
    days of their funding."""
    candidates = [(batch, note) for batch in range(FUNDED_FROM) for note in batches[batch]]
    # Organizations with an IATI identifier (the reference file's), so the IATI export names every implementer.
    identified = set(db.session.scalars(sa.select(Organisation.code).where(Organisation.iati_ref.is_not(None))))
    for _attempt in range(20000):
        order = candidates[:]
        rng.shuffle(order)
        chosen: list[tuple[int, NotePlan]] = []
        orgs: set[str] = set()
        for batch, note in order:
            if len(orgs | set(note.orgs)) > FUNDED_ORGS:
                continue
            chosen.append((batch, note))
            orgs |= set(note.orgs)
            if len(chosen) == FUNDED:
                break
        if len(chosen) < FUNDED:
            continue
        schedule = _schedule_funding(chosen)
        if schedule is not None and _acceptable(schedule, rates, identified):
            return schedule
    raise PlanError("No set of 12 notes with 12 distinct organizations fits the pools on the funding days.")


def plan_committee(plans: list[NotePlan]) -> CommitteePlan:
    """The committee's story planned ahead: which notes each meeting reviews, their fates, the documents of
    the notes that go on to implementation and when each is funded."""
    rng = random.Random(SEED)
    fund = reference.get_fund()
    rates = (fund.indirect_support_cost_rate, fund.administrative_agent_fee_rate)
    batches = _batches(plans)
    schedule = _choose_funded(rng, batches, rates)
    fates = {note.index: "funded" for _s, _b, note in schedule}
    for index, batch in enumerate(batches):
        rest = [n for n in batch if n.index not in fates]
        rng.shuffle(rest)
        cut = REJECTED_AT[index] + DEFERRED_AT[index]
        fates |= {n.index: "rejected" for n in rest[: REJECTED_AT[index]]}
        fates |= {n.index: "deferred" for n in rest[REJECTED_AT[index] : cut]}
        fates |= {n.index: "endorsed" for n in rest[cut:]}
    ready_pool = [n for index in READY_FROM for n in batches[index] if fates[n.index] == "endorsed"]
    for note in rng.sample(ready_pool, READY):
        fates[note.index] = "ready"
    plan = CommitteePlan(batches, fates)
    endorsed_at = {n.index: i for i, batch in enumerate(batches) for n in batch}
    for slot, batch, note in schedule:
        funded_on = MEETINGS[slot][1]
        document_on = min(MEETINGS[batch][1] + timedelta(days=rng.randint(40, 60)), funded_on - timedelta(days=22))
        starts_on = first_of_month_after(funded_on + timedelta(days=14))
        plan.programmes.append(
            ProgrammePlan(note, batch, document_on, starts_on, _ends(starts_on, note), funded_at=slot)
        )
    for n, note in enumerate(sorted((p for p in plans if fates.get(p.index) == "ready"), key=lambda p: p.index)):
        batch = endorsed_at[note.index]
        document_on = MEETINGS[batch][1] + timedelta(days=rng.randint(40, 60))
        starts_on = add_months(date(2022, 1, 1), n % 3)
        plan.programmes.append(ProgrammePlan(note, batch, document_on, starts_on, _ends(starts_on, note)))
    if any(p.document_on > DEMO_TODAY for p in plan.programmes):
        raise PlanError("A programme document would be approved after the demo's last day.")
    return plan


def _ends(starts_on: date, note: NotePlan) -> date:
    return add_months(starts_on, note.duration_months) - timedelta(days=1)


# The story ----------------------------------------------------------------------------------------------


@dataclass
class Committee:
    chair: User
    secretariat: User
    voting: list
    by_seat_user: dict[int, User]

    @classmethod
    def load(cls) -> "Committee":
        users = {u.email: u for u in db.session.scalars(sa.select(User))}
        seats = active_seats()
        return cls(
            users["chair@example.org"],
            users["secretariat@example.org"],
            [s for s in seats if s.is_voting],
            {s.id: s.user for s in seats},
        )


def committee_stories(plan: CommitteePlan) -> list[Process]:
    """Each meeting, and each programme document, as processes of the demo's story."""
    if db.session.scalar(sa.select(Meeting.id).limit(1)) is not None:
        return []
    rng = random.Random(SEED + 1)
    stories = [meeting_story(index, plan, random.Random(rng.random())) for index in range(len(MEETINGS))]
    stories += [document_story(programme) for programme in plan.programmes]
    return stories


def meeting_story(index: int, plan: CommitteePlan, rng: random.Random) -> Process:
    """A meeting from its planning six weeks ahead to its close: reviews, scores, agenda, votes, decisions."""
    title, held_on, location = MEETINGS[index]
    batch = plan.batches[index] if index < ENDORSEMENT_MEETINGS else []
    yield held_on - timedelta(days=42)
    committee = Committee.load()
    meeting = committee_services.create_meeting(committee.secretariat, title, held_on, location)
    steps = []
    for note in batch:
        opens_on = max(note.eligible_on + timedelta(days=2), held_on - timedelta(days=35))
        steps.append((opens_on, lambda note=note: _open_review(committee, note.note, meeting)))
        steps += _scoring_steps(rng, note, plan.fates[note.index], committee, opens_on, held_on)
        steps.append(
            (held_on - timedelta(days=7), lambda note=note: committee_services.close_review(committee.chair, note.note))
        )
    for programme in plan.funded_at(index):
        steps.append(
            (
                held_on - timedelta(days=21),
                lambda p=programme: committee_services.add_item(
                    committee.secretariat, meeting, ItemKind.funding, p.note.note
                ),
            )
        )
    steps.append(
        (
            held_on - timedelta(days=21),
            lambda: committee_services.add_item(
                committee.secretariat, meeting, ItemKind.other, title="Update from the Fund Management Unit"
            ),
        )
    )
    steps.append((held_on, lambda: _hold(rng, meeting, {n.note.id: plan.fates[n.index] for n in batch}, committee)))
    yield from agenda(steps)


def _open_review(committee: Committee, note: ConceptNote, meeting: Meeting) -> None:
    committee_services.open_review(committee.secretariat, note)
    committee_services.add_item(committee.secretariat, meeting, ItemKind.endorsement, note)


def _scoring_steps(rng, plan: NotePlan, fate: str, committee: Committee, opens_on: date, held_on: date) -> list:
    """Each voting member without a conflict scores the note on a day of its own before the review closes."""
    steps = []
    last = held_on - timedelta(days=9)
    codes = [c.code for c in criteria_for(None)]
    for seat in committee.voting:
        day = min(opens_on + timedelta(days=rng.randint(1, 14)), last)
        level = LEVELS[fate]
        scores = {code: max(1, min(5, round(rng.gauss(level, 0.7)))) for code in codes}
        comment = rng.choice(COMMENTS[fate])

        def score(seat=seat, scores=scores, comment=comment) -> None:
            note = plan.note
            if seat.id in committee_services.conflicts_for(note, committee.voting):
                return
            committee_services.submit_scores(committee.by_seat_user[seat.id], note, scores, comment)

        steps.append((day, score))
    return steps


def _hold(rng, meeting: Meeting, fates: dict[int, str], committee: Committee) -> None:
    """The meeting day: attendance, votes and the chair's decisions. `fates`: concept note id → its fate."""
    chair, voting, by_seat_user = committee.chair, committee.voting, committee.by_seat_user
    committee_services.open_meeting(chair, meeting)
    absent = set(rng.sample([s.id for s in voting if s.user_id != chair.id], rng.choice((0, 1, 2))))
    present = [s.id for s in active_seats() if s.id not in absent]
    committee_services.record_attendance(chair, meeting, present)
    for item in list(meeting.items):
        recused = committee_services.recused_seats(item, voting)
        eligible = [s for s in voting if s.id in present and s.id not in recused]
        if item.kind is ItemKind.other:
            outcome = Outcome.approve
        elif item.kind is ItemKind.funding:
            outcome = Outcome.approve_funding
        else:
            fate = fates[item.concept_note_id]
            outcome = {"rejected": Outcome.reject, "deferred": Outcome.defer}.get(fate, Outcome.endorse)
        if outcome is not Outcome.defer:
            objector = rng.choice(eligible).id if outcome is Outcome.reject else None
            for seat in eligible:
                if seat.id == objector:
                    vote, why = Vote.object, "Not convinced by the joint approach."
                else:
                    vote, why = (Vote.abstain, "") if rng.random() < 0.08 else (Vote.approve, "")
                committee_services.cast_vote(by_seat_user[seat.id], item, vote, why)
            if outcome is not Outcome.reject and all(v.vote is Vote.abstain for v in item.votes):
                committee_services.cast_vote(by_seat_user[eligible[0].id], item, Vote.approve)
        starts_on, ends_on = _new_dates(item, meeting.held_on) if item.kind is ItemKind.funding else (None, None)
        committee_services.record_decision(
            chair,
            item,
            committee_services.DecisionInput(
                outcome=outcome,
                rationale="Recorded in the meeting's discussion." if outcome is not Outcome.approve else "",
                shared_comment=SHARED.get(outcome, ""),
                starts_on=starts_on,
                ends_on=ends_on,
            ),
        )
    committee_services.close_meeting(chair, meeting)


def _new_dates(item, held_on: date) -> tuple[date | None, date | None]:
    """A programme whose planned start is before its funding meeting starts two weeks after it, for as long as
    planned (a funding decision gives new dates then, as the chair would)."""
    document = committee_services.programme_document(item.concept_note)
    if not committee_services.planned_dates_past(document, held_on):
        return None, None
    starts_on = held_on + timedelta(days=14)
    return starts_on, starts_on + (document.ends_on - document.starts_on)


def document_story(programme: ProgrammePlan) -> Process:
    """The secretariat records and approves the light joint programme document: the note is ready."""
    yield programme.document_on
    committee = Committee.load()
    note = programme.note.note
    summary = (note.expected_results or note.title).split(".")[0].strip() + "."
    budget = {p.organisation_id: p.total for p in note.participants}
    committee_services.save_programme_document(
        committee.secretariat, note, summary, programme.starts_on, programme.ends_on, budget
    )
    committee_services.approve_programme_document(committee.secretariat, note)
