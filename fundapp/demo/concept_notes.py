"""Demo calls and concept notes (2019–2021), created through the services so every rule applies.

113 notes are submitted (plus a few drafts), across the five thematic areas, every inhabited M49 region and
many UN organizations; the secretariat screens them into eligible, ineligible and returned notes (some
revised and resubmitted), leaving more than 60 eligible for the steering committee. Deterministic: a seeded
random generator and fixed dates.
"""

import random
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa

from fundapp.auth.models import Organisation, User
from fundapp.concept_notes import services
from fundapp.concept_notes.models import NARRATIVES, Call, ConceptNote
from fundapp.core import uploads
from fundapp.core.extensions import db
from fundapp.core.pdf import build_pdf, para
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

COUNTRIES = {
    "Africa": ["MAR", "SEN", "GMB", "NGA", "ETH", "KEN", "SOM", "NER", "MLI", "GHA", "ZAF", "ZWE", "CIV", "TUN", "DJI"],
    "Latin America and the Caribbean": ["GTM", "HND", "SLV", "MEX", "CHL", "PER", "ECU", "COL", "TTO", "JAM"],
    "Asia": ["BGD", "NPL", "PHL", "IDN", "KGZ", "TJK", "LKA", "THA", "JOR", "IRQ"],
    "Europe": ["MDA", "UKR", "MKD", "ALB", "BIH", "ARM"],
    "Oceania": ["FJI", "KIR", "TUV", "VUT"],
}
REGION_NAMES = {
    "Africa": ["West Africa", "the Horn of Africa", "North Africa", "Southern Africa"],
    "Latin America and the Caribbean": ["Central America", "the Andean region", "the Caribbean"],
    "Asia": ["South Asia", "Central Asia", "South-East Asia"],
    "Europe": ["the Western Balkans", "Eastern Europe"],
    "Oceania": ["the Pacific"],
}

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


def _plan(rng: random.Random) -> list[str]:
    """The screening outcome of each submitted note, shuffled deterministically."""
    outcomes = (
        ["ineligible"] * 17
        + ["returned_then_eligible"] * 4
        + ["returned_then_waiting"] * 1
        + ["returned"] * 4
        + ["withdrawn"] * 2
        + ["waiting"] * 6
    )
    outcomes += ["eligible"] * (113 - len(outcomes))
    rng.shuffle(outcomes)
    return outcomes


def seed_concept_notes() -> int:
    """Calls and concept notes; does nothing if the demo calls exist. Returns the number of notes created."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(Call)):
        return 0
    rng = random.Random(SEED)
    secretariat = db.session.scalar(sa.select(User).where(User.email == "secretariat@example.org"))
    orgs = {o.code: o for o in db.session.scalars(sa.select(Organisation))}
    users = {u.email: u for u in db.session.scalars(sa.select(User).where(User.email.in_(FOCAL_POINTS.values())))}
    areas = list(db.session.scalars(sa.select(ThematicArea).order_by(ThematicArea.position)))
    countries = {c.code: c for c in db.session.scalars(sa.select(Country))}
    principles = list(db.session.scalars(sa.select(GuidingPrinciple).order_by(GuidingPrinciple.position)))
    markers = list(db.session.scalars(sa.select(Marker).order_by(Marker.id)))
    calls = [
        services.create_call(
            secretariat,
            services.CallData(
                title=title,
                opens_on=opens,
                closes_on=closes,
                is_rolling=rolling,
                envelope=Decimal(envelope),
                thematic_area_ids=[a.id for a in areas],
                description=description,
            ),
        )
        for title, opens, closes, rolling, envelope, description in CALLS
    ]
    leads = [code for code, count in LEADS.items() for _ in range(count)]
    rng.shuffle(leads)
    outcomes = _plan(rng)
    # Notes still waiting for screening belong to the rolling call; the rest spread over the three calls.
    created = 0
    for index, (lead_code, outcome) in enumerate(zip(leads, outcomes, strict=True)):
        waiting = outcome in ("waiting", "returned_then_waiting")
        call = calls[2] if waiting else calls[index % 3]
        note = _build_note(
            rng,
            index,
            call,
            orgs,
            orgs[lead_code],
            users.get(FOCAL_POINTS.get(lead_code, "")),
            areas,
            areas[index % 5],
            countries,
            principles,
            markers,
        )
        _screen(rng, note, outcome, secretariat, users.get(FOCAL_POINTS.get(lead_code, "")))
        created += 1
    # A few drafts, one per demo focal point, under the rolling call.
    for n, (code, email) in enumerate(FOCAL_POINTS.items()):
        draft_on = date(2021, 11, 2 + n)
        note = services.create_note(users[email], calls[2], orgs[code], "", on=draft_on)
        area = areas[(n + 2) % 5]
        data = services.NoteData(
            title=rng.choice(TITLES[area.code]).format(place=countries[rng.choice(COUNTRIES["Africa"])].name),
            lead_direct_costs=Decimal("450000.00"),
            thematic_area_id=area.id,
            objective_ids=[area.objectives[0].id],
            scope="national",
            duration_months=24,
            narratives={"context": "Draft in progress: the context section is being written with the government."},
        )
        services.save_draft(users[email], note, data)
        created += 1
    # The demo's history is old news: everyone has read the notifications it produced.
    for account in db.session.scalars(sa.select(User)):
        mark_all_read(account)
    db.session.flush()
    return created


def _budget(rng: random.Random, org_count: int) -> list[Decimal]:
    """Direct costs per organization, the lead's share largest, the total (with 7%) mostly 1 to 3 million."""
    thousand = Decimal(1000)
    total_with_isc = Decimal(rng.choice([rng.randint(600, 999)] + [rng.randint(1000, 2990)] * 4)) * thousand
    direct_total = (total_with_isc / Decimal("1.07") / thousand).quantize(Decimal(1)) * thousand
    weights = [rng.randint(35, 55)] + [rng.randint(15, 35) for _ in range(org_count - 1)]
    shares = [(direct_total * w / sum(weights) / thousand).quantize(Decimal(1)) * thousand for w in weights]
    shares[0] += direct_total - sum(shares)
    return shares


def _build_note(rng, index, call, orgs, lead, actor, areas, area, countries, principles, markers) -> ConceptNote:
    region = rng.choice(["Africa"] * 4 + ["Latin America and the Caribbean"] * 3 + ["Asia"] * 3 + ["Europe", "Oceania"])
    scope = rng.choice(["national"] * 6 + ["multi_country"] * 2 + ["regional"] * 2 + ["global"])
    if scope == "national":
        codes = [rng.choice(COUNTRIES[region])]
        place = countries[codes[0]].name
    elif scope == "global":
        codes, place = [], "countries of origin, transit and destination"
    else:
        codes = rng.sample(COUNTRIES[region], rng.randint(2, 4))
        place = rng.choice(REGION_NAMES[region])
    title = rng.choice(TITLES[area.code]).format(place=place)
    partner_count = rng.choice([1, 1, 2, 2, 3])
    partners = rng.sample([c for c in PARTNER_POOL if c != lead.code], partner_count)
    budget = _budget(rng, partner_count + 1)
    submitted_on = call.opens_on + timedelta(days=14 + (index * 7) % 120)
    note = services.create_note(actor, call, lead, title, on=submitted_on - timedelta(days=10))
    objectives = [area.objectives[index % len(area.objectives)].id]
    if rng.random() < 0.5:
        objectives.append(rng.choice(area.objectives).id)
    if rng.random() < 0.3:
        other = rng.choice([a for a in areas if a is not area])
        objectives.append(other.objectives[0].id)
    government = (
        f"Ministry of Labour and Ministry of Interior of {place}; local authorities of the main migration corridors."
        if scope == "national"
        else "Ministries responsible for migration in each participating country; the regional economic community."
    )
    data = services.NoteData(
        title=title,
        lead_direct_costs=budget[0],
        partners=[(orgs[code].id, amount) for code, amount in zip(partners, budget[1:], strict=True)],
        thematic_area_id=area.id,
        objective_ids=sorted(set(objectives)),
        scope=scope,
        country_codes=codes,
        government_partners=government,
        duration_months=rng.choice([18, 24, 24, 30, 36]),
        gender_budget_share=Decimal(rng.choice([15, 20, 25, 30, 35, 40])),
        narratives={
            "context": f"Migration in {place} is shaped by labour demand, climate stress and conflict. "
            f"Authorities lack the means to apply the Global Compact's commitments on “{area.name.lower()}”.",
            "theory_of_change": "If institutions have reliable data, trained staff and agreed procedures, and if "
            "migrants "
            "and communities take part in decisions, then policies will protect rights and improve "
            "development outcomes, because decisions rest on evidence and ownership.",
            "expected_results": "Outcome 1: policies and procedures adopted. Outcome 2: services reach migrants in "
            "vulnerable situations. Outcome 3: cooperation mechanisms operate across the corridor.",
            "target_groups": f"About {rng.randint(5, 60) * 1000:,} migrants and members of host communities; "
            f"{rng.randint(80, 600)} officials trained.",
            "stakeholder_participation": "Migrant associations, diaspora networks, trade unions, employers and "
            "civil society sit on the programme's steering committee.",
            "government_engagement": government,
            "sustainability": "Procedures are adopted by decree, training enters the civil service curriculum and "
            "the government budgets the services from the third year.",
        },
        principles={
            p.id: PRINCIPLE_TEXT.get(p.code, f"The programme applies the principle “{p.name}”.") for p in principles
        },
        markers={m.id: rng.choice([1, 2, 2, 2, 3]) for m in markers},
    )
    services.save_draft(actor, note, data)
    if scope == "national":
        services.add_attachment(actor, note, _endorsement_letter(place, title), "endorsement")
    services.submit(actor, note, on=submitted_on)
    return note


def _screen(rng, note: ConceptNote, outcome: str, secretariat, actor) -> None:
    all_checks = [key for key, _label in services.MANUAL_CHECKS]
    if outcome == "waiting":
        return
    if outcome == "withdrawn":
        services.withdraw(actor, note, "The government asked to redesign the programme with a wider set of partners.")
        return
    if outcome == "eligible":
        services.screen(secretariat, note, "eligible", all_checks, "")
        return
    if outcome == "ineligible":
        services.screen(secretariat, note, "ineligible", all_checks[1:], rng.choice(INELIGIBLE_REASONS))
        return
    services.screen(secretariat, note, "returned", all_checks[:2], rng.choice(RETURN_COMMENTS))
    if outcome == "returned":
        return
    data = _current_data(note)
    data.narratives["theory_of_change"] += REVISION_NOTE
    data.narratives["expected_results"] += " Baselines and targets: see the revised results framework."
    services.save_draft(actor, note, data)
    services.submit(actor, note, on=(note.last_submitted_on or date(2021, 6, 1)) + timedelta(days=30))
    if outcome == "returned_then_eligible":
        services.screen(secretariat, note, "eligible", all_checks, "Thank you for the revision.")


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
