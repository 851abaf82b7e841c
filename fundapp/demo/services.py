"""Seed the demo fund through the domain services, so it obeys every business rule."""

__all__ = ["DEMO_PASSWORD", "demo_accounts", "is_database_empty", "seed_accounts", "seed_demo"]

from datetime import date

import sqlalchemy as sa

from fundapp.auth import services as auth_services
from fundapp.auth.models import Organisation, OrganisationType, User
from fundapp.concept_notes.models import Call
from fundapp.core import clock
from fundapp.core.extensions import db
from fundapp.core.permissions import Role
from fundapp.demo import (
    DEMO_PASSWORD,
    committee,
    committee_decisions,
    concept_notes,
    contributions,
    programmes,
    results,
)
from fundapp.demo.story import Story
from fundapp.reference import services as reference_services

#: (code, name, type, country) for the organisations the demo needs beyond the reference file's (UN entities and
#: the donors, with their IATI identifiers).
DEMO_ORGANISATIONS = [
    ("GOV-MAR", "Morocco, Ministry of Foreign Affairs", OrganisationType.government, "MAR"),
    ("GOV-GTM", "Guatemala, Ministry of Foreign Affairs", OrganisationType.government, "GTM"),
    ("GOV-BGD", "Bangladesh, Ministry of Expatriates' Welfare", OrganisationType.government, "BGD"),
    ("CSO-MADE", "Migration and Development Civil Society Network (MADE)", OrganisationType.civil_society, None),
    ("CSO-MIGRANT", "Global Coalition on Migration", OrganisationType.civil_society, None),
]

#: The 12 steering committee seats: (email, name, organisation code, constituency). member4..6 are donor
#: seats, member7..9 country seats (origin, transit, destination), member10..11 stakeholders.
COMMITTEE_SEATS = [
    ("chair@example.org", "Amina Diallo", "IOM", "Chair (IOM Director General, Network Coordinator)"),
    ("member1@example.org", "Lucas Ferreira", "UNDP", "UN Network on Migration"),
    ("member2@example.org", "Mei Chen", "UNICEF", "UN Network on Migration"),
    ("member3@example.org", "Joseph Mwangi", "ILO", "UN Network on Migration"),
    ("member4@example.org", "Katrin Weber", "DEU", "Donor"),
    ("member5@example.org", "Pieter de Vries", "NLD", "Donor"),
    ("member6@example.org", "Ingrid Solberg", "NOR", "Donor"),
    ("member7@example.org", "Youssef El Amrani", "GOV-MAR", "Country of origin, transit and destination"),
    ("member8@example.org", "María José Pérez", "GOV-GTM", "Country of origin and transit"),
    ("member9@example.org", "Rahim Chowdhury", "GOV-BGD", "Country of origin"),
    ("member10@example.org", "Grace Okafor", "CSO-MADE", "Stakeholders: civil society"),
    ("member11@example.org", "Ana Lima", "CSO-MIGRANT", "Stakeholders: migrant organizations"),
]

#: Donor users: donor@ belongs to the largest donor, donor2@… to the others, in this order.
DONOR_FOCAL_POINTS = [
    ("DEU", "Jonas Becker"),
    ("NLD", "Sanne Jansen"),
    ("NOR", "Erik Haugen"),
    ("DNK", "Mette Nielsen"),
    ("BEL", "Lotte Peeters"),
    ("FRA", "Camille Martin"),
    ("ESP", "Lucía García"),
    ("GBR", "Oliver Hughes"),
    ("PRT", "Inês Costa"),
    ("CYP", "Andreas Georgiou"),
    ("PHL", "Maria Santos"),
    ("MEX", "Diego Hernández"),
]
DONOR_CODES = [code for code, _name in DONOR_FOCAL_POINTS]


def demo_accounts() -> list[tuple[str, str, str, list[Role]]]:
    """(email, name, organisation code, roles) for every demo sign-in, in display order."""
    accounts: list[tuple[str, str, str, list[Role]]] = [
        ("admin@example.org", "Ada Admin", "MPTF-FMU", [Role.admin]),
        ("secretariat@example.org", "Samuel Okoye", "MPTF-FMU", [Role.secretariat]),
    ]
    for email, name, org, _constituency in COMMITTEE_SEATS:
        role = Role.committee_chair if email.startswith("chair") else Role.committee_member
        accounts.append((email, name, org, [role]))
    accounts += [
        ("applicant@example.org", "Priya Raman", "UNDP", [Role.applicant]),
        ("applicant2@example.org", "Tomás Ortega", "UNICEF", [Role.applicant]),
        ("applicant3@example.org", "Fatou Ndiaye", "IOM", [Role.applicant]),
        ("applicant4@example.org", "Olga Petrenko", "ILO", [Role.applicant]),
    ]
    for i, (code, name) in enumerate(DONOR_FOCAL_POINTS, start=1):
        email = "donor@example.org" if i == 1 else f"donor{i}@example.org"
        accounts.append((email, name, code, [Role.donor]))
    return accounts


def seed_accounts() -> int:
    """Organisations and users for every role. Skips what exists, so it can run again."""
    reference_services.get_fund() or _missing_reference()
    orgs = {o.code: o for o in db.session.scalars(sa.select(Organisation))}
    for code, name, org_type, country in DEMO_ORGANISATIONS:
        if code not in orgs:
            orgs[code] = reference_services.create_organisation(None, code, name, org_type, country)
    existing = set(db.session.scalars(sa.select(User.email)))
    created = 0
    for email, name, org_code, roles in demo_accounts():
        if email in existing:
            continue
        auth_services.create_user(None, email, name, orgs[org_code], roles, DEMO_PASSWORD, demo=True)
        created += 1
    return created


def _missing_reference() -> None:
    raise RuntimeError("Load the reference data first: flask reference load")


#: The demo's accounts and organisations exist from the fund's first days.
ACCOUNTS_ON = date(2019, 5, 2)


def seed_demo() -> dict[str, int]:
    """The demo fund as it stood on 30 November 2021: its whole history told in order (fundapp/demo/story.py),
    each step through the services with the clock at its date. Later capabilities add their processes here.

    Idempotent: a part whose records exist already is not told again (the committee and the programmes only
    with the concept notes they are about).
    """
    with clock.frozen(ACCOUNTS_ON):
        users = seed_accounts()
        db.session.flush()
    counts = {"seats": [0], "framework": [0], "contributions": [0], "periods": [0]}
    story = Story()
    story.start(committee.seats_story(counts["seats"]))
    story.start(results.results_story(counts["framework"]))
    story.start(contributions.contributions_story(counts["contributions"]))
    story.start(contributions.periods_story(counts["periods"]))
    notes, meetings, funded = 0, 0, 0
    if not db.session.scalar(sa.select(sa.func.count()).select_from(Call)):
        plans = concept_notes.plan_notes()
        plan = committee_decisions.plan_committee(plans)
        stories = [*concept_notes.notes_stories(plans), *committee_decisions.committee_stories(plan)]
        stories += programmes.programme_stories(plan)
        for process in stories:
            story.start(process)
        notes = len(plans) + len(concept_notes.FOCAL_POINTS)
        meetings, funded = len(committee_decisions.MEETINGS), len(plan.programmes)
    story.start(concept_notes.everyone_reads_their_notifications())
    story.run()
    return {
        "users": users,
        "committee seats": counts["seats"][0],
        "contributions": counts["contributions"][0],
        "concept_notes": notes,
        "committee meetings": meetings,
        "results framework": counts["framework"][0],
        "joint programmes": funded,
        "accounting periods closed": counts["periods"][0],
    }


def is_database_empty() -> bool:
    return db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0
