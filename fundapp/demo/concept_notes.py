"""Demo calls and concept notes (2019–2021), each step on its date, through the services so every rule applies.

113 notes are submitted (plus a few drafts), across the five thematic areas, every inhabited M49 region and
many UN organizations; the secretariat screens each a few weeks after it arrives into eligible, ineligible and
returned notes (some revised and resubmitted), leaving more than 60 eligible for the steering committee; the
notes still waiting for screening on 30 November 2021 arrived that month. Deterministic: a seeded random
generator draws a plan of every note first (`plan_notes`), which the committee's plan reads too; each note is
then a process of the demo's story (fundapp/demo/story.py).

Titles name the note's place: a national note its country; a regional or multi-country note a sub-region
(`PLACES`) whose countries it covers, all of them in the M49 area that sub-region names.
"""

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa

from fundapp.auth.models import Organisation, User
from fundapp.concept_notes import services
from fundapp.concept_notes.models import NARRATIVES, Call, ConceptNote
from fundapp.core import uploads
from fundapp.core.extensions import db
from fundapp.core.pdf import build_pdf, para
from fundapp.demo.story import DEMO_TODAY, Process, tell
from fundapp.notifications.services import mark_all_read
from fundapp.reference.models import Country, GuidingPrinciple, Marker, ThematicArea

SEED = 20191107

CALLS = [
    (
        "Call for concept notes 2019",
        date(2019, 7, 1),
        date(2019, 12, 31),
        False,
        "25000000.00",
        (
            "The Migration MPTF's first call: joint programmes that put the Global Compact into practice, "
            "designed with governments and stakeholders."
        ),
    ),
    (
        "Call for concept notes 2020",
        date(2020, 2, 1),
        date(2020, 10, 31),
        False,
        "20000000.00",
        "Second call, including responses to the effects of COVID-19 on migrants and communities.",
    ),
    (
        "Rolling call for concept notes (2021 onwards)",
        date(2021, 2, 1),
        None,
        True,
        "30000000.00",
        "Concept notes are received on a rolling basis and screened as they arrive.",
    ),
]

#: Lead organization code -> number of submitted notes (113 in all).
LEADS = {
    "IOM": 30,
    "UNDP": 14,
    "UNICEF": 12,
    "ILO": 10,
    "UNHCR": 8,
    "UN Women": 7,
    "UNODC": 6,
    "WHO": 5,
    "UNFPA": 5,
    "FAO": 4,
    "UNESCO": 3,
    "UN-Habitat": 3,
    "OHCHR": 3,
    "WFP": 3,
}
PARTNER_POOL = [
    "IOM",
    "UNDP",
    "UNICEF",
    "ILO",
    "UNHCR",
    "UN Women",
    "UNODC",
    "WHO",
    "UNFPA",
    "FAO",
    "UNESCO",
    "UN-Habitat",
    "OHCHR",
    "WFP",
    "UNEP",
    "UN DESA",
    "ITC",
    "UNCTAD",
    "UNITAR",
    "UNOPS",
]
#: Demo focal points: the notes of these organizations are created by them; others arrive by import.
FOCAL_POINTS = {
    "UNDP": "applicant@example.org",
    "UNICEF": "applicant2@example.org",
    "IOM": "applicant3@example.org",
    "ILO": "applicant4@example.org",
}

#: Countries of national notes, by M49 region.
COUNTRIES = {
    "Africa": ["MAR", "SEN", "GMB", "NGA", "ETH", "KEN", "SOM", "NER", "MLI", "GHA", "ZAF", "ZWE", "CIV", "TUN", "DJI"],
    "Latin America and the Caribbean": ["GTM", "HND", "SLV", "MEX", "CHL", "PER", "ECU", "COL", "TTO", "JAM"],
    "Asia": ["BGD", "NPL", "PHL", "IDN", "KGZ", "TJK", "LKA", "THA", "JOR", "IRQ"],
    "Europe": ["MDA", "UKR", "MKD", "ALB", "BIH", "SRB"],
    "Oceania": ["FJI", "KIR", "TUV", "VUT"],
}
#: Places of regional and multi-country notes: region → {name in the title: (the M49 area every one of its
#: countries lies in, its countries)}. A title never names a place its countries are not in.
PLACES: dict[str, dict[str, tuple[str, list[str]]]] = {
    "Africa": {
        "West Africa": ("011", ["SEN", "GMB", "NGA", "NER", "MLI", "GHA", "CIV"]),
        "the Horn of Africa": ("014", ["ETH", "SOM", "DJI", "KEN"]),
        "North Africa": ("015", ["MAR", "TUN", "EGY"]),
        "Southern Africa": ("018", ["ZAF", "BWA", "NAM", "LSO"]),
    },
    "Latin America and the Caribbean": {
        "Central America": ("013", ["GTM", "HND", "SLV", "MEX"]),
        "the Andean region": ("005", ["PER", "ECU", "COL", "BOL"]),
        "the Caribbean": ("029", ["TTO", "JAM", "DOM", "HTI"]),
    },
    "Asia": {
        "South Asia": ("034", ["BGD", "NPL", "LKA", "PAK"]),
        "Central Asia": ("143", ["KGZ", "TJK", "UZB", "KAZ"]),
        "South-East Asia": ("035", ["PHL", "IDN", "THA", "VNM"]),
        "the Middle East": ("145", ["JOR", "IRQ", "LBN"]),
    },
    "Europe": {
        "the Western Balkans": ("039", ["MKD", "ALB", "BIH", "SRB", "MNE"]),
        "Eastern Europe": ("151", ["MDA", "UKR", "BLR"]),
    },
    "Oceania": {"the Pacific": ("009", ["FJI", "KIR", "TUV", "VUT"])},
}
GLOBAL_PLACE = "countries of origin, transit and destination"

#: Title patterns per thematic area; {place} is a country, a region or 'global'.
TITLES = {
    "TA1": [
        "Strengthening migration data systems for evidence-based policy in {place}",
        "Migration governance indicators and national migration profiles in {place}",
        "Building a fact-based public narrative on migration in {place}",
        "Integrating migration into development planning in {place}",
    ],
    "TA2": [
        "Protecting migrants in vulnerable situations along the routes of {place}",
        "Search, rescue and identification of missing migrants in {place}",
        "Access to basic services for migrant children and families in {place}",
        "Ending violence against migrant women and girls in {place}",
    ],
    "TA3": [
        "Rights-based border governance and alternatives to detention in {place}",
        "Countering trafficking in persons and migrant smuggling in {place}",
        "Safe and dignified return and sustainable reintegration in {place}",
        "Consular protection and legal identity for migrants in {place}",
    ],
    "TA4": [
        "Fair recruitment and decent work for migrant workers from {place}",
        "Labour mobility and skills partnerships for {place}",
        "Cheaper, safer remittances and diaspora investment in {place}",
        "Portability of social protection for migrant workers in {place}",
    ],
    "TA5": [
        "Social cohesion and inclusion of migrants in cities of {place}",
        "Inclusive health and education services for migrants in {place}",
        "Recognition of migrants' skills and qualifications in {place}",
        "Community-based integration and anti-xenophobia action in {place}",
    ],
}

PRINCIPLE_TEXT = {
    "a": "Migrants take part in design and monitoring; activities are built around their needs and voices.",
    "b": "Countries of origin, transit and destination cooperate through a joint steering structure.",
    "c": "The government leads, in line with its national migration policy and priorities.",
    "d": "Activities strengthen due process, access to justice and the rule of law for migrants.",
    "e": "Results feed into national development plans and the 2030 Agenda's migration targets.",
    "f": "A human rights-based approach: non-discrimination, participation and accountability throughout.",
    "g": "Gender analysis informs every output; sex-disaggregated data and a dedicated gender budget.",
    "h": "Child-sensitive safeguards; the best interests of the child guide every activity involving children.",
    "i": "Ministries of labour, interior, foreign affairs, health and local authorities share one workplan.",
    "j": "Civil society, migrant and diaspora organizations, employers and trade unions are partners.",
}

INELIGIBLE_REASONS = [
    "The endorsement letter is not signed by the competent national authority.",
    "The programme largely duplicates an ongoing joint programme funded by another donor in the same country.",
    "Activities are mainly humanitarian assistance, outside the Fund's development mandate.",
    "The participating organizations have not confirmed their participation in writing.",
    "The budget funds recurrent government salaries, which the Fund does not cover.",
]
RETURN_COMMENTS = [
    "Please clarify the theory of change and add baseline figures for the expected results.",
    "Please detail the role of civil society and migrant organizations (whole-of-society approach).",
    "The budget split between the participating organizations does not match the activities; please revise.",
    "Please explain how the child-sensitivity marker score of 3 is reached; the narrative does not show it.",
]
REVISION_NOTE = (
    "\n\nRevised after the Fund Management Unit's comments: baselines and targets added, roles of migrant and "
    "civil society organizations detailed."
)


#: Screening outcomes of the 113 submitted notes.
OUTCOMES = {
    "ineligible": 17,
    "returned_then_eligible": 4,
    "returned_then_waiting": 1,
    "returned": 4,
    "withdrawn": 2,
    "waiting": 6,
}
#: The notes still waiting on 30 November 2021 arrived that month; a revised one came back on this day.
WAITING_FROM = date(2021, 11, 2)
RESUBMITTED_LATE_ON = date(2021, 11, 19)
#: Drafts of the demo focal points, started in November 2021.
DRAFTS_FROM = date(2021, 11, 2)


@dataclass
class NotePlan:
    """Everything about one demo note, drawn before the story runs: the committee plans its meetings from it."""

    index: int
    call: int  # index in CALLS
    lead: str  # organisation codes
    partners: list[str]
    direct_costs: list[Decimal]  # the lead's first
    area: str  # thematic area code
    region: str
    scope: str
    countries: list[str]
    place: str
    title: str
    objective_ids: list[int]
    duration_months: int
    gender_budget_share: Decimal
    target_groups: str
    markers: dict[int, int]
    outcome: str
    submitted_on: date
    screened_on: date | None = None
    resubmitted_on: date | None = None
    rescreened_on: date | None = None
    withdrawn_on: date | None = None
    reasons: list[str] = field(default_factory=list)
    #: The note, once its process has created it.
    note: ConceptNote | None = None

    @property
    def created_on(self) -> date:
        return self.submitted_on - timedelta(days=10)

    @property
    def orgs(self) -> list[str]:
        return [self.lead, *self.partners]

    @property
    def eligible_on(self) -> date | None:
        """The day the secretariat found it eligible (None: never in the story)."""
        if self.outcome == "eligible":
            return self.screened_on
        return self.rescreened_on if self.outcome == "returned_then_eligible" else None

    @property
    def last_submitted_on(self) -> date:
        return self.resubmitted_on or self.submitted_on

    def total(self, rate: Decimal) -> Decimal:
        """The note's budget with indirect support costs, as the services compute it."""
        return sum((d + services.indirect_costs(d, rate) for d in self.direct_costs), Decimal(0))


def _endorsement_letter(country: str, title: str) -> uploads.CheckedUpload:
    content = build_pdf(
        "Letter of endorsement",
        [
            para(
                f"The Government of {country} endorses the joint programme “{title}” and commits to take part "
                "in its steering committee and in the implementation of its activities."
            ),
            para("Signed on behalf of the Ministry of Foreign Affairs."),
        ],
        footer=f"Endorsement · {country}",
    )
    return uploads.check_upload(f"endorsement-{country.lower().replace(' ', '-')}.pdf", content)


def _outcomes(rng: random.Random) -> list[str]:
    """The screening outcome of each submitted note, shuffled deterministically."""
    outcomes = [outcome for outcome, count in OUTCOMES.items() for _ in range(count)]
    outcomes += ["eligible"] * (113 - len(outcomes))
    rng.shuffle(outcomes)
    return outcomes


def _budget(rng: random.Random, org_count: int) -> list[Decimal]:
    """Direct costs per organization, the lead's share largest, the total (with 7%) mostly 1 to 3 million."""
    thousand = Decimal(1000)
    total_with_isc = Decimal(rng.choice([rng.randint(600, 999)] + [rng.randint(1000, 2990)] * 4)) * thousand
    direct_total = (total_with_isc / Decimal("1.07") / thousand).quantize(Decimal(1)) * thousand
    weights = [rng.randint(35, 55)] + [rng.randint(15, 35) for _ in range(org_count - 1)]
    shares = [(direct_total * w / sum(weights) / thousand).quantize(Decimal(1)) * thousand for w in weights]
    shares[0] += direct_total - sum(shares)
    return shares


def _place(rng: random.Random, region: str, scope: str, names: dict[str, str]) -> tuple[list[str], str]:
    """The note's countries and the place its title names."""
    if scope == "national":
        code = rng.choice(COUNTRIES[region])
        return [code], names[code]
    if scope == "global":
        return [], GLOBAL_PLACE
    place = rng.choice(sorted(PLACES[region]))
    countries = PLACES[region][place][1]
    return rng.sample(countries, min(len(countries), rng.randint(2, 4))), place


def plan_notes() -> list[NotePlan]:
    """The plan of the 113 submitted notes, drawn from a seeded generator and the reference data (reads only)."""
    rng = random.Random(SEED)
    areas = list(db.session.scalars(sa.select(ThematicArea).order_by(ThematicArea.position)))
    names = {c.code: c.name for c in db.session.scalars(sa.select(Country))}
    markers = list(db.session.scalars(sa.select(Marker).order_by(Marker.id)))
    leads = [code for code, count in LEADS.items() for _ in range(count)]
    rng.shuffle(leads)
    outcomes = _outcomes(rng)
    plans = []
    waiting = 0
    for index, (lead, outcome) in enumerate(zip(leads, outcomes, strict=True)):
        area = areas[index % 5]
        region = rng.choice(
            ["Africa"] * 4 + ["Latin America and the Caribbean"] * 3 + ["Asia"] * 3 + ["Europe", "Oceania"]
        )
        scope = rng.choice(["national"] * 6 + ["multi_country"] * 2 + ["regional"] * 2 + ["global"])
        countries, place = _place(rng, region, scope, names)
        title = rng.choice(TITLES[area.code]).format(place=place)
        partners = rng.sample([c for c in PARTNER_POOL if c != lead], rng.choice([1, 1, 2, 2, 3]))
        budget = _budget(rng, len(partners) + 1)
        objectives = [area.objectives[index % len(area.objectives)].id]
        if rng.random() < 0.5:
            objectives.append(rng.choice(area.objectives).id)
        if rng.random() < 0.3:
            objectives.append(rng.choice([a for a in areas if a is not area]).objectives[0].id)
        plan = NotePlan(
            index=index,
            call=index % 3,
            lead=lead,
            partners=partners,
            direct_costs=budget,
            area=area.code,
            region=region,
            scope=scope,
            countries=countries,
            place=place,
            title=title,
            objective_ids=sorted(set(objectives)),
            duration_months=rng.choice([18, 24, 24, 30, 36]),
            gender_budget_share=Decimal(rng.choice([15, 20, 25, 30, 35, 40])),
            target_groups=f"About {rng.randint(5, 60) * 1000:,} migrants and members of host communities; "
            f"{rng.randint(80, 600)} officials trained.",
            markers={m.id: rng.choice([1, 2, 2, 2, 3]) for m in markers},
            outcome=outcome,
            submitted_on=CALLS[index % 3][1] + timedelta(days=14 + (index * 7) % 120),
        )
        _schedule(rng, plan, waiting)
        waiting += outcome == "waiting"
        plans.append(plan)
    return plans


def _schedule(rng: random.Random, plan: NotePlan, waiting: int) -> None:
    """The dates of the note's steps: screened two to five weeks after it arrives, revised within six weeks."""
    if plan.outcome == "waiting":
        plan.call, plan.submitted_on = 2, WAITING_FROM + timedelta(days=3 * waiting)
        return
    if plan.outcome == "returned_then_waiting":
        plan.call, plan.submitted_on = 2, CALLS[2][1] + timedelta(days=14 + (plan.index * 7) % 120)
    if plan.outcome == "withdrawn":
        plan.withdrawn_on = plan.submitted_on + timedelta(days=rng.randint(5, 12))
        return
    plan.screened_on = plan.submitted_on + timedelta(days=rng.randint(12, 35))
    if plan.outcome == "ineligible":
        plan.reasons = [rng.choice(INELIGIBLE_REASONS)]
    if plan.outcome.startswith("returned"):
        plan.reasons = [rng.choice(RETURN_COMMENTS)]
        if plan.outcome == "returned_then_waiting":
            plan.resubmitted_on = RESUBMITTED_LATE_ON
        elif plan.outcome == "returned_then_eligible":
            plan.resubmitted_on = plan.screened_on + timedelta(days=rng.randint(20, 40))
            plan.rescreened_on = plan.resubmitted_on + timedelta(days=rng.randint(10, 20))


def _note_data(plan: NotePlan, orgs: dict[str, Organisation], principles: list[GuidingPrinciple]) -> services.NoteData:
    place = plan.place
    government = (
        f"Ministry of Labour and Ministry of Interior of {place}; local authorities of the main migration corridors."
        if plan.scope == "national"
        else "Ministries responsible for migration in each participating country; the regional economic community."
    )
    area_name = db.session.scalar(sa.select(ThematicArea.name).where(ThematicArea.code == plan.area))
    area_id = db.session.scalar(sa.select(ThematicArea.id).where(ThematicArea.code == plan.area))
    return services.NoteData(
        title=plan.title,
        lead_direct_costs=plan.direct_costs[0],
        partners=[(orgs[code].id, amount) for code, amount in zip(plan.partners, plan.direct_costs[1:], strict=True)],
        thematic_area_id=area_id,
        objective_ids=plan.objective_ids,
        scope=plan.scope,
        country_codes=plan.countries,
        government_partners=government,
        duration_months=plan.duration_months,
        gender_budget_share=plan.gender_budget_share,
        narratives={
            "context": f"Migration in {place} is shaped by labour demand, climate stress and conflict. "
            f"Authorities lack the means to apply the Global Compact's commitments on “{area_name.lower()}”.",
            "theory_of_change": "If institutions have reliable data, trained staff and agreed procedures, and if "
            "migrants "
            "and communities take part in decisions, then policies will protect rights and improve "
            "development outcomes, because decisions rest on evidence and ownership.",
            "expected_results": "Outcome 1: policies and procedures adopted. Outcome 2: services reach migrants in "
            "vulnerable situations. Outcome 3: cooperation mechanisms operate across the corridor.",
            "target_groups": plan.target_groups,
            "stakeholder_participation": "Migrant associations, diaspora networks, trade unions, employers and "
            "civil society sit on the programme's steering committee.",
            "government_engagement": government,
            "sustainability": "Procedures are adopted by decree, training enters the civil service curriculum and "
            "the government budgets the services from the third year.",
        },
        principles={
            p.id: PRINCIPLE_TEXT.get(p.code, f"The programme applies the principle “{p.name}”.") for p in principles
        },
        markers=dict(plan.markers),
    )


@dataclass
class Cast:
    """Who acts in the concept notes' story: the calls as they are opened, organisations, people."""

    calls: dict[int, Call] = field(default_factory=dict)
    orgs: dict[str, Organisation] = field(default_factory=dict)
    focal_points: dict[str, User] = field(default_factory=dict)
    secretariat: User | None = None
    principles: list[GuidingPrinciple] = field(default_factory=list)

    @classmethod
    def load(cls) -> "Cast":
        return cls(
            orgs={o.code: o for o in db.session.scalars(sa.select(Organisation))},
            focal_points={
                code: user
                for code, email in FOCAL_POINTS.items()
                if (user := db.session.scalar(sa.select(User).where(User.email == email))) is not None
            },
            secretariat=db.session.scalar(sa.select(User).where(User.email == "secretariat@example.org")),
            principles=list(db.session.scalars(sa.select(GuidingPrinciple).order_by(GuidingPrinciple.position))),
        )


def calls_story(cast: Cast) -> Process:
    """The secretariat publishes each call three weeks before it opens."""
    areas = [a.id for a in db.session.scalars(sa.select(ThematicArea).order_by(ThematicArea.position))]
    for index, (title, opens, closes, rolling, envelope, description) in enumerate(CALLS):
        yield opens - timedelta(days=21)
        cast.calls[index] = services.create_call(
            cast.secretariat,
            services.CallData(
                title=title,
                opens_on=opens,
                closes_on=closes,
                is_rolling=rolling,
                envelope=Decimal(envelope),
                thematic_area_ids=areas,
                description=description,
            ),
        )


def note_story(plan: NotePlan, cast: Cast) -> Process:
    """One note from its first draft to its screening (and revision)."""
    actor = cast.focal_points.get(plan.lead)
    yield plan.created_on
    note = services.create_note(actor, cast.calls[plan.call], cast.orgs[plan.lead], plan.title, on=plan.created_on)
    services.save_draft(actor, note, _note_data(plan, cast.orgs, cast.principles))
    plan.note = note
    if plan.scope == "national":
        yield plan.created_on + timedelta(days=4)
        services.add_attachment(actor, note, _endorsement_letter(plan.place, plan.title), "endorsement")
    yield plan.submitted_on
    services.submit(actor, note, on=plan.submitted_on)
    if plan.withdrawn_on:
        yield plan.withdrawn_on
        services.withdraw(actor, note, "The government asked to redesign the programme with a wider set of partners.")
        return
    if plan.screened_on is None:
        return
    yield plan.screened_on
    yield from _screen(plan, note, cast, actor)


def _screen(plan: NotePlan, note: ConceptNote, cast: Cast, actor: User | None) -> Process:
    all_checks = [key for key, _label in services.MANUAL_CHECKS]
    if plan.outcome == "eligible":
        services.screen(cast.secretariat, note, "eligible", all_checks, "")
        return
    if plan.outcome == "ineligible":
        services.screen(cast.secretariat, note, "ineligible", all_checks[1:], plan.reasons[0])
        return
    services.screen(cast.secretariat, note, "returned", all_checks[:2], plan.reasons[0])
    if plan.resubmitted_on is None:
        return
    yield plan.resubmitted_on - timedelta(days=2)
    data = _current_data(note)
    data.narratives["theory_of_change"] += REVISION_NOTE
    data.narratives["expected_results"] += " Baselines and targets: see the revised results framework."
    services.save_draft(actor, note, data)
    yield plan.resubmitted_on
    services.submit(actor, note, on=plan.resubmitted_on)
    if plan.rescreened_on is not None:
        yield plan.rescreened_on
        services.screen(cast.secretariat, note, "eligible", all_checks, "Thank you for the revision.")


def drafts_story(cast: Cast, rng: random.Random) -> Process:
    """November 2021: each demo focal point starts a note under the rolling call."""
    areas = list(db.session.scalars(sa.select(ThematicArea).order_by(ThematicArea.position)))
    names = {c.code: c.name for c in db.session.scalars(sa.select(Country))}
    for n, (code, user) in enumerate(cast.focal_points.items()):
        on = DRAFTS_FROM + timedelta(days=n)
        yield on
        note = services.create_note(user, cast.calls[2], cast.orgs[code], "", on=on)
        area = areas[(n + 2) % 5]
        data = services.NoteData(
            # The area's first title: ILO's draft (applicant4@) is "Strengthening migration data systems…", which
            # the browser tests open.
            title=TITLES[area.code][0].format(place=names[rng.choice(COUNTRIES["Africa"])]),
            lead_direct_costs=Decimal("450000.00"),
            thematic_area_id=area.id,
            objective_ids=[area.objectives[0].id],
            scope="national",
            duration_months=24,
            narratives={"context": "Draft in progress: the context section is being written with the government."},
        )
        services.save_draft(user, note, data)


def notes_stories(plans: list[NotePlan]) -> list[Process]:
    """The calls, every planned note and the drafts, as processes of the demo's story."""
    cast = Cast.load()
    return [
        calls_story(cast),
        *(note_story(plan, cast) for plan in plans),
        drafts_story(cast, random.Random(SEED + 1)),
    ]


def everyone_reads_their_notifications() -> Process:
    """The demo's history is old news by its last day: everyone has read the notifications it produced."""
    yield DEMO_TODAY
    for account in db.session.scalars(sa.select(User)):
        mark_all_read(account)


def seed_concept_notes() -> int:
    """Calls and concept notes; does nothing if the demo calls exist. Returns the number of notes created."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(Call)):
        return 0
    plans = plan_notes()
    tell(*notes_stories(plans), everyone_reads_their_notifications())
    return len(plans) + len(FOCAL_POINTS)


def _current_data(note: ConceptNote) -> services.NoteData:
    """The note's content as NoteData, to revise it through the same service as the form."""
    lead = next(p for p in note.participants if p.is_lead)
    return services.NoteData(
        title=note.title,
        lead_direct_costs=lead.direct_costs,
        partners=[(p.organisation_id, p.direct_costs) for p in note.partners],
        thematic_area_id=note.thematic_area_id,
        objective_ids=[o.id for o in note.objectives],
        scope=note.scope.value if note.scope else None,
        country_codes=[c.code for c in note.countries],
        government_partners=note.government_partners,
        duration_months=note.duration_months,
        gender_budget_share=note.gender_budget_share,
        narratives={attr: getattr(note, attr) for attr, _l, _h in NARRATIVES},
        principles={s.principle_id: s.text for s in note.principles},
        markers={m.marker_id: m.score for m in note.markers},
    )
