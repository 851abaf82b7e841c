"""Demo fund-level results framework (in the style of the Migration MPTF's) and the alignment indicators.

Outcomes and indicators follow the fund's five thematic areas; baselines are the fund's start (2019) and
targets the end of its first programming cycle (2024). Figures are illustrative, not published MPTF figures.
"""

from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from fundapp.core.extensions import db
from fundapp.demo.story import Process, tell
from fundapp.reference.models import ThematicArea
from fundapp.results import services
from fundapp.results.models import FundIndicator, FundOutcome
from fundapp.results.rollup import IndicatorUnit

N, USD, PCT, YES = IndicatorUnit.count, IndicatorUnit.amount_usd, IndicatorUnit.percentage, IndicatorUnit.yes_no
SEX, AGE, STATUS = "sex", "age_group", "migratory_status"

#: area code → [(outcome code, statement, [(code, indicator, unit, baseline, target, verification, disaggs)])]
FRAMEWORK: dict[str, list[tuple[str, str, list[tuple[str, str, IndicatorUnit, str, str, str, tuple[str, ...]]]]]] = {
    "TA1": [
        (
            "1.1",
            "Governments collect, analyse and use accurate, disaggregated migration data for evidence-based policy.",
            [
                (
                    "1.1.a",
                    (
                        "Number of government institutions with strengthened capacity to collect and use "
                        "disaggregated migration data"
                    ),
                    N,
                    "0",
                    "40",
                    "Programme progress reports; training and technical-assistance records",
                    (),
                ),
                (
                    "1.1.b",
                    (
                        "Number of countries that publish migration statistics disaggregated by sex, age and "
                        "migratory status"
                    ),
                    N,
                    "3",
                    "15",
                    "National statistical office publications",
                    (),
                ),
                (
                    "1.1.c",
                    "Number of national policies or plans informed by new migration data and analysis",
                    N,
                    "0",
                    "12",
                    "Policy documents citing the data; government confirmation",
                    (),
                ),
            ],
        ),
        (
            "1.2",
            "Migrants and communities have access to accurate and timely information at all stages of migration.",
            [
                (
                    "1.2.a",
                    (
                        "Number of migrants and prospective migrants reached with accurate information on "
                        "safe and regular migration"
                    ),
                    N,
                    "0",
                    "250000",
                    "Outreach records; helpline and platform logs",
                    (SEX, AGE, STATUS),
                ),
                (
                    "1.2.b",
                    ("Percentage of surveyed migrants who report having the information they needed before departure"),
                    PCT,
                    "35",
                    "60",
                    "Pre-departure and post-arrival surveys",
                    (SEX,),
                ),
            ],
        ),
        (
            "1.3",
            "Public discourse on migration is evidence-based and free of discrimination.",
            [
                (
                    "1.3.a",
                    ("Number of journalists and media professionals trained on evidence-based reporting on migration"),
                    N,
                    "0",
                    "600",
                    "Training records",
                    (SEX,),
                ),
                (
                    "1.3.b",
                    "Number of campaigns countering xenophobia and discrimination against migrants",
                    N,
                    "0",
                    "25",
                    "Campaign reports and reach data",
                    (),
                ),
            ],
        ),
    ],
    "TA2": [
        (
            "2.1",
            "Migrants in vulnerable situations are identified, protected and assisted in line with human rights.",
            [
                (
                    "2.1.a",
                    ("Number of migrants in vulnerable situations who received protection and assistance services"),
                    N,
                    "0",
                    "30000",
                    "Case-management records of service providers",
                    (SEX, AGE, STATUS),
                ),
                (
                    "2.1.b",
                    "Number of frontline officials trained on human rights-based screening and referral",
                    N,
                    "0",
                    "2500",
                    "Training records; pre- and post-training tests",
                    (SEX,),
                ),
                (
                    "2.1.c",
                    ("Number of countries with operational referral mechanisms for migrants in vulnerable situations"),
                    N,
                    "2",
                    "12",
                    "Standard operating procedures adopted by government",
                    (),
                ),
            ],
        ),
        (
            "2.2",
            "Alternatives to immigration detention are available, with priority to children and families.",
            [
                (
                    "2.2.a",
                    "Number of children and families placed in non-custodial alternatives to detention",
                    N,
                    "0",
                    "3000",
                    "Government and case-management data",
                    (SEX, AGE),
                ),
                (
                    "2.2.b",
                    "Government adopts a policy ending the immigration detention of children",
                    YES,
                    "0",
                    "1",
                    "Adopted policy or law",
                    (),
                ),
            ],
        ),
    ],
    "TA3": [
        (
            "3.1",
            "Border management is integrated, secure, coordinated and respects the rights of migrants.",
            [
                (
                    "3.1.a",
                    "Number of border officials trained on rights-based border governance",
                    N,
                    "0",
                    "3000",
                    "Training records",
                    (SEX,),
                ),
                (
                    "3.1.b",
                    ("Number of border crossing points applying human rights-based standard operating procedures"),
                    N,
                    "0",
                    "45",
                    "Monitoring visits; government confirmation",
                    (),
                ),
            ],
        ),
        (
            "3.2",
            "Smuggling of migrants and trafficking in persons are prevented and victims protected.",
            [
                (
                    "3.2.a",
                    "Number of identified victims of trafficking who received assistance",
                    N,
                    "0",
                    "4000",
                    "Case-management records",
                    (SEX, AGE, STATUS),
                ),
                (
                    "3.2.b",
                    "Number of countries with national anti-trafficking action plans adopted or updated",
                    N,
                    "4",
                    "12",
                    "Adopted action plans",
                    (),
                ),
            ],
        ),
        (
            "3.3",
            "Returning migrants are reintegrated sustainably, with dignity and in safety.",
            [
                (
                    "3.3.a",
                    ("Percentage of returnees assisted who reach a sustainable reintegration index of 0.5 or more"),
                    PCT,
                    "40",
                    "70",
                    "Reintegration sustainability surveys",
                    (SEX, AGE),
                ),
                (
                    "3.3.b",
                    "Number of returnees who received reintegration assistance",
                    N,
                    "0",
                    "15000",
                    "Case-management records",
                    (SEX, AGE),
                ),
            ],
        ),
    ],
    "TA4": [
        (
            "4.1",
            "Pathways for regular migration are available, flexible and gender-responsive.",
            [
                (
                    "4.1.a",
                    "Number of bilateral or regional labour-mobility agreements developed or revised",
                    N,
                    "2",
                    "15",
                    "Signed agreements",
                    (),
                ),
                (
                    "4.1.b",
                    "Number of migrants who used new or improved regular pathways",
                    N,
                    "0",
                    "20000",
                    "Government administrative data",
                    (SEX, AGE),
                ),
            ],
        ),
        (
            "4.2",
            "Recruitment is fair and ethical, and migrant workers enjoy decent work.",
            [
                (
                    "4.2.a",
                    "Number of recruitment agencies applying fair and ethical recruitment standards",
                    N,
                    "0",
                    "150",
                    "Certification and monitoring records",
                    (),
                ),
                (
                    "4.2.b",
                    (
                        "Average recruitment costs paid by migrant workers as a percentage of monthly "
                        "earnings in destination"
                    ),
                    PCT,
                    "90",
                    "40",
                    "Recruitment cost surveys (SDG 10.7.1)",
                    (SEX,),
                ),
            ],
        ),
        (
            "4.3",
            "Remittances are faster, safer and cheaper, and migrants are financially included.",
            [
                (
                    "4.3.a",
                    "Average cost of sending US$ 200 in remittances in programme corridors (%)",
                    PCT,
                    "7",
                    "3",
                    "World Bank Remittance Prices Worldwide (SDG 10.c.1)",
                    (),
                ),
                (
                    "4.3.b",
                    "Diaspora investment mobilized for development projects (US$)",
                    USD,
                    "0",
                    "5000000",
                    "Project financial records",
                    (),
                ),
                (
                    "4.3.c",
                    "Number of migrants and their families with access to formal financial services",
                    N,
                    "0",
                    "50000",
                    "Financial institution data",
                    (SEX, STATUS),
                ),
            ],
        ),
    ],
    "TA5": [
        (
            "5.1",
            "Migrants have access to basic services regardless of their migration status.",
            [
                (
                    "5.1.a",
                    (
                        "Number of migrants who accessed health, education or social protection services with "
                        "programme support"
                    ),
                    N,
                    "0",
                    "60000",
                    "Service-provider records",
                    (SEX, AGE, STATUS),
                ),
                (
                    "5.1.b",
                    "Number of local governments with plans that include migrants in service delivery",
                    N,
                    "0",
                    "60",
                    "Local development plans",
                    (),
                ),
            ],
        ),
        (
            "5.2",
            "Migrants and host communities live together in inclusive, cohesive societies.",
            [
                (
                    "5.2.a",
                    ("Percentage of surveyed host-community members with positive attitudes towards migrants"),
                    PCT,
                    "45",
                    "60",
                    "Perception surveys",
                    (SEX, AGE),
                ),
                (
                    "5.2.b",
                    "Number of migrant and diaspora organizations participating in local decision-making",
                    N,
                    "0",
                    "80",
                    "Meeting records of local councils and platforms",
                    (),
                ),
            ],
        ),
        (
            "5.3",
            "Social security entitlements and earned benefits are portable across borders.",
            [
                (
                    "5.3.a",
                    "Number of social security agreements concluded or revised",
                    N,
                    "1",
                    "8",
                    "Signed agreements",
                    (),
                ),
                (
                    "5.3.b",
                    "Number of migrant workers covered by portable social protection schemes",
                    N,
                    "0",
                    "25000",
                    "Social security institution data",
                    (SEX,),
                ),
            ],
        ),
    ],
}

BASELINE_YEAR, TARGET_YEAR = 2019, 2024
#: The Fund Management Unit sets up the framework before the first call opens.
FRAMEWORK_ON = date(2019, 6, 14)


def seed_results() -> int:
    """The fund-level framework and the alignment indicators; returns the rows created (idempotent)."""
    created = [0]
    tell(results_story(created))
    return created[0]


def results_story(created: list[int]) -> Process:
    """The fund's results framework and alignment indicators, set up in June 2019."""
    yield FRAMEWORK_ON
    created[0] = _load_framework()


def _load_framework() -> int:
    created = services.load_alignment_indicators()
    areas = {a.code: a for a in db.session.scalars(sa.select(ThematicArea))}
    for area_code, outcomes in FRAMEWORK.items():
        area = areas.get(area_code)
        if area is None:
            continue
        for outcome_code, statement, indicators in outcomes:
            outcome = db.session.scalar(
                sa.select(FundOutcome).where(FundOutcome.thematic_area_id == area.id, FundOutcome.code == outcome_code)
            )
            if outcome is None:
                outcome = services.create_outcome(None, area, outcome_code, statement)
                created += 1
            for code, name, unit, baseline, target, verification, disaggs in indicators:
                exists = db.session.scalar(
                    sa.select(FundIndicator.id).where(
                        FundIndicator.thematic_area_id == area.id, FundIndicator.code == code
                    )
                )
                if exists is not None:
                    continue
                services.create_indicator(
                    None,
                    outcome,
                    services.IndicatorInput(
                        code=code,
                        name=name,
                        unit=unit,
                        baseline_value=Decimal(baseline),
                        baseline_year=BASELINE_YEAR,
                        target_value=Decimal(target),
                        target_year=TARGET_YEAR,
                        means_of_verification=verification,
                        by_sex=SEX in disaggs,
                        by_age_group=AGE in disaggs,
                        by_migratory_status=STATUS in disaggs,
                    ),
                )
                created += 1
    return created
