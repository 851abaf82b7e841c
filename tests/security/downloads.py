"""The table of every route that answers with a file (PDF, CSV, XLSX, ZIP, XML, an uploaded attachment): who
downloads it in the test, and which hostile fields (tests/security/hostile.py) it must print.

`tests/security/test_downloads.py` renders each one from the hostile demo fund. A registered route whose path
ends like a download must be listed here (checked against the app's url_map there), and tests/test_routes.py
checks that every response of every route that turns out to be a file comes from a route listed here.
"""

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from fundapp.auth.models import Organisation, User
from fundapp.committee import pipeline
from fundapp.committee.models import JointProgrammeDocument, Meeting
from fundapp.concept_notes.models import Attachment
from fundapp.contributions.models import Donor
from fundapp.core.extensions import db
from fundapp.core.tabular import XLSX_MIMETYPE
from fundapp.programmes.models import ProgressReport

#: Responses that are files rather than pages or JSON.
FILE_MIMETYPES = {"application/pdf", "text/csv", XLSX_MIMETYPE, "application/zip", "application/xml"}
#: Path endings of routes that serve files.
FILE_SUFFIXES = (".pdf", ".csv", ".xlsx", ".zip", ".xml", "/pdf", "/csv", "/xlsx")

SECRETARIAT = "secretariat@example.org"
ADMIN = "admin@example.org"
DONOR = "donor@example.org"
APPLICANT = "applicant@example.org"


class Demo:
    """Ids in the demo fund, by natural keys."""

    def donor_id(self, code: str = "DEU") -> int:
        return db.session.scalar(
            sa.select(Donor.id)
            .join(Organisation, Organisation.id == Donor.organisation_id)
            .where(Organisation.code == code)
        )

    def last_meeting_id(self) -> int:
        return db.session.scalar(sa.select(Meeting.id).order_by(Meeting.held_on.desc()).limit(1))

    def attachment(self) -> tuple[int, int]:
        """(note id, attachment id) of the first attachment."""
        return tuple(db.session.execute(sa.select(Attachment.concept_note_id, Attachment.id).limit(1)).one())

    def scenario_run(self, email: str = SECRETARIAT) -> str:
        """Run the funding scenarios for the person (the CSV is their last run) and give its download's path."""
        user = db.session.scalar(sa.select(User).where(User.email == email))
        pipeline.run_scenario(user, pipeline.ScenarioInput("", "", {}, {}), 5, 1)
        return "/committee/pipeline/scenario.csv"

    def programme_with_most_reports(self) -> int:
        """The programme (its id is its document's) whose dossier holds the most progress reports, among those whose
        concept note has an attachment (the dossier prints their file names)."""
        with_attachments = (
            sa.select(JointProgrammeDocument.id)
            .join(Attachment, Attachment.concept_note_id == JointProgrammeDocument.concept_note_id)
            .scalar_subquery()
        )
        return db.session.scalar(
            sa.select(ProgressReport.programme_id)
            .where(ProgressReport.programme_id.in_(with_attachments))
            .group_by(ProgressReport.programme_id)
            .order_by(sa.func.count().desc(), ProgressReport.programme_id)
            .limit(1)
        )


@dataclass(frozen=True)
class Download:
    endpoint: str
    url: str | Callable[[Demo], str]
    #: Who downloads it (None: anonymous).
    email: str | None
    mimetype: str
    #: Hostile fields (labels in hostile.FIELDS) the file must print, literally.
    prints: tuple[str, ...]

    @property
    def id(self) -> str:
        return self.url if isinstance(self.url, str) else self.endpoint


NOTE_PDF_FIELDS = (
    "organisation name (donors, PUNOs, governments)",
    "person's name",
    "call title",
    "concept note title",
    "government partners",
    "context",
    "theory of change",
    "expected results",
    "target groups",
    "stakeholder participation",
    "government engagement",
    "sustainability",
    "guiding principle text of a note",
    "attachment file name",
    "status change reason",
    "thematic area name",
    "GCM objective title",
    "guiding principle name",
    "marker name",
    "country name",
)
ORG = "organisation name (donors, PUNOs, governments)"
PDF, CSV, ZIP, XML = "application/pdf", "text/csv", "application/zip", "application/xml"

DOWNLOADS = [
    Download("auth.admin_users_csv", "/admin/users.csv", ADMIN, CSV, ("person's name",)),
    Download("home.audit_log_csv", "/admin/audit.csv", ADMIN, CSV, ("audit details",)),
    Download("reference.admin_organisations_csv", "/admin/organisations.csv", ADMIN, CSV, (ORG,)),
    Download("reference.countries_csv", "/reference/countries.csv", SECRETARIAT, CSV, ("country name", "region name")),
    Download("reference.currencies_csv", "/reference/currencies.csv", SECRETARIAT, CSV, ("currency name",)),
    Download("contributions.donors_csv", "/contributions/donors.csv", SECRETARIAT, CSV, (ORG, "agreement reference")),
    Download("contributions.ledger_csv", "/contributions/ledger.csv", SECRETARIAT, CSV, (ORG, "ledger description")),
    Download("contributions.funding_status_csv", "/contributions/funding-status.csv", SECRETARIAT, CSV, ()),
    Download(
        "contributions.funding_status_xlsx",
        "/contributions/funding-status.xlsx",
        SECRETARIAT,
        XLSX_MIMETYPE,
        ("thematic area name",),
    ),
    Download(
        "contributions.report_pdf",
        lambda d: f"/contributions/donors/{d.donor_id()}/report.pdf",
        DONOR,
        PDF,
        (ORG, "agreement reference", "programme title"),
    ),
    Download(
        "contributions.report_csv",
        lambda d: f"/contributions/donors/{d.donor_id()}/report.csv",
        DONOR,
        CSV,
        (ORG, "agreement reference", "programme title"),
    ),
    Download(
        "contributions.report_xlsx",
        lambda d: f"/contributions/donors/{d.donor_id()}/report.xlsx",
        DONOR,
        XLSX_MIMETYPE,
        (ORG, "agreement reference", "programme title"),
    ),
    Download(
        "concept_notes.export_csv", "/concept-notes/export.csv", SECRETARIAT, CSV, ("call title", "concept note title")
    ),
    Download(
        "concept_notes.mine_csv", "/concept-notes/mine/export.csv", APPLICANT, CSV, ("call title", "concept note title")
    ),
    Download(
        "concept_notes.pdf", lambda d: f"/concept-notes/{d.attachment()[0]}/pdf", SECRETARIAT, PDF, NOTE_PDF_FIELDS
    ),
    Download(
        "concept_notes.download_attachment",
        lambda d: "/concept-notes/{}/attachments/{}".format(*d.attachment()),
        SECRETARIAT,
        PDF,
        (),
    ),
    Download(
        "committee.minutes_pdf",
        lambda d: f"/committee/meetings/{d.last_meeting_id()}/minutes.pdf",
        SECRETARIAT,
        PDF,
        (
            ORG,
            "person's name",
            "meeting title",
            "meeting location",
            "agenda item title",
            "decision rationale",
            "comment shared with the applicant",
            "decision rule finding",
            "vote rationale",
            "recusal reason",
        ),
    ),
    Download(
        "committee.pipeline_csv",
        "/committee/pipeline.csv",
        SECRETARIAT,
        CSV,
        ("concept note title",),
    ),
    Download("committee.scenario_csv", lambda d: d.scenario_run(), SECRETARIAT, CSV, ("concept note title",)),
    Download(
        "committee.pack_pdf",
        lambda d: f"/committee/meetings/{d.last_meeting_id()}/pack.pdf",
        SECRETARIAT,
        PDF,
        (
            ORG,
            "concept note title",
            "expected results",
            "meeting title",
            "meeting location",
            "agenda item title",
            "thematic area name",
            "country name",
        ),
    ),
    Download(
        "programmes.portfolio_csv",
        "/programmes.csv",
        SECRETARIAT,
        CSV,
        ("programme title", "country name", "region name"),
    ),
    Download(
        "programmes.dossier_zip",
        lambda d: f"/programmes/{d.programme_with_most_reports()}/dossier.zip",
        SECRETARIAT,
        ZIP,
        (
            *NOTE_PDF_FIELDS,
            "programme document summary",
            "programme title",
            "national partners",
            "meeting title",
            "agenda item title",
            "decision rationale",
            "comment shared with the applicant",
            "decision rule finding",
            "vote rationale",
            "ledger description",
            "progress report narrative",
            "progress report challenges",
            "programme indicator name",
        ),
    ),
    *[
        Download("transparency.table_csv", f"/transparency/{table}.csv", None, CSV, prints)
        for table, prints in (
            ("statement", ()),
            ("contributors", (ORG,)),
            ("areas", ("thematic area name",)),
            ("organisations", (ORG,)),
            ("regions", ("region name",)),
            ("programmes", ("concept note title", "country name", "region name")),
        )
    ],
    Download(
        "transparency.annual_pdf",
        "/transparency/annual-report/2021.pdf",
        SECRETARIAT,
        PDF,
        ("fund name", "administrative agent", ORG, "concept note title"),
    ),
    Download(
        "transparency.annual_xlsx",
        "/transparency/annual-report/2021.xlsx",
        SECRETARIAT,
        XLSX_MIMETYPE,
        (ORG, "concept note title"),
    ),
    Download(
        "transparency.results_pdf",
        "/transparency/results-report/2021.pdf",
        None,
        PDF,
        (
            "fund name",
            "concept note title",
            "progress report narrative",
            "programme indicator name",
            "thematic area name",
            "guiding principle name",
            "fund indicator name",
        ),
    ),
    Download(
        "api.iati",
        "/api/v1/iati.xml",
        None,
        XML,
        (ORG, "agreement reference", "concept note title", "programme document summary", "fund name"),
    ),
]
DOWNLOAD_ENDPOINTS = {d.endpoint for d in DOWNLOADS}


def serves_files(rule: str) -> bool:
    """Does a route's path say it serves a file? (Routes that do without saying so, like an attachment's,
    are caught by their responses in tests/test_routes.py.)"""
    return rule.endswith(FILE_SUFFIXES)


def is_file(mimetype: str, headers) -> bool:
    """Is a response a file rather than a page or JSON?"""
    return mimetype in FILE_MIMETYPES or headers.get("Content-Disposition", "").startswith("attachment")
