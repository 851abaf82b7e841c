"""Hostile values in every free-text column the downloads print.

Each column gets its own tag, `=H07#<row id>`, then reportlab markup a person could type: a font, a link, an
image from the server's disk and an unclosed bold. The leading `=` makes the value a spreadsheet formula too.
The tag lets a test say which field a download printed, and check the markup after it came out literally.
"""

import json
import re
from dataclasses import dataclass

import sqlalchemy as sa

from fundapp.core.extensions import db
from tests.core import tamper
from tests.core.output_checks import squash

#: The markup after the tag, by room in the column.
MARKUP = {
    "full": '<font size="28" color="red">R</font><a href="http://evil.example/x">L</a>'
    '<img src="/usr/share/pixmaps/debian-logo.png"/><b>U',
    "medium": '<font size="28" color="red">R</font><a href="http://e.example/">L</a><img src="/etc/x.png"/><b>U',
    "short": '<a href="http://e.example/">L</a><b>U',
}


@dataclass(frozen=True)
class Field:
    label: str
    table: str
    column: str
    #: Which MARKUP fits the column (the tag and row id take up to 12 characters more).
    size: str = "full"

    @property
    def number(self) -> int:
        return FIELDS.index(self)

    @property
    def tag(self) -> str:
        return f"=H{self.number:02d}#"

    @property
    def markup(self) -> str:
        return MARKUP[self.size]

    @property
    def printed_markup(self) -> str:
        """The markup as stored: inside a JSON string (audit details) its quotes are escaped."""
        return json.dumps(self.markup)[1:-1] if self.column == "details" else self.markup

    def value_pattern(self) -> re.Pattern[str]:
        """The whole value, as a download must print it (any row's id)."""
        return re.compile(re.escape(self.tag) + r"[A-Za-z0-9]+ " + re.escape(self.printed_markup))

    def squashed_pattern(self) -> re.Pattern[str]:
        """The whole value in a PDF's text, white space removed (lines wrap anywhere)."""
        return re.compile(re.escape(squash(self.tag)) + r"[A-Za-z0-9]+" + re.escape(squash(self.printed_markup)))


FIELDS = [
    Field("organisation name (donors, PUNOs, governments)", "organisations", "name"),
    Field("person's name", "users", "name", "medium"),
    Field("agreement reference", "agreements", "reference", "short"),
    Field("agreement notes", "agreements", "notes"),
    Field("deposit note", "deposits", "note"),
    Field("ledger description", "ledger_entries", "description"),
    Field("call title", "calls", "title"),
    Field("call description", "calls", "description"),
    Field("concept note title", "concept_notes", "title"),
    Field("government partners", "concept_notes", "government_partners"),
    Field("context", "concept_notes", "context"),
    Field("theory of change", "concept_notes", "theory_of_change"),
    Field("expected results", "concept_notes", "expected_results"),
    Field("target groups", "concept_notes", "target_groups"),
    Field("stakeholder participation", "concept_notes", "stakeholder_participation"),
    Field("government engagement", "concept_notes", "government_engagement"),
    Field("sustainability", "concept_notes", "sustainability"),
    Field("guiding principle text of a note", "concept_note_principles", "text"),
    Field("attachment file name", "concept_note_attachments", "filename"),
    Field("screening comments", "concept_note_screenings", "comments"),
    Field("status change reason", "state_events", "reason"),
    Field("meeting title", "committee_meetings", "title"),
    Field("meeting location", "committee_meetings", "location"),
    Field("quorum finding", "committee_meetings", "quorum_text"),
    Field("agenda item title", "committee_agenda_items", "title"),
    Field("decision rationale", "committee_agenda_items", "rationale"),
    Field("comment shared with the applicant", "committee_agenda_items", "shared_comment"),
    Field("decision rule finding", "committee_agenda_items", "rule_text"),
    Field("vote rationale", "committee_votes", "rationale"),
    Field("recusal reason", "committee_recusals", "reason"),
    Field("score sheet comment", "committee_score_sheets", "comment"),
    Field("programme document summary", "joint_programme_documents", "summary"),
    Field("programme title", "joint_programmes", "title"),
    Field("national partners", "joint_programmes", "national_partners"),
    Field("final report summary", "joint_programmes", "final_report_summary"),
    Field("progress report narrative", "programme_progress_reports", "narrative"),
    Field("progress report challenges", "programme_progress_reports", "challenges"),
    Field("progress report review comment", "programme_progress_reports", "review_comment"),
    Field("programme indicator name", "programme_indicators", "name"),
    Field("programme outcome statement", "programme_outcomes", "statement"),
    Field("programme output statement", "programme_outputs", "statement"),
    Field("fund name", "fund_settings", "name"),
    Field("administrative agent", "fund_settings", "administrative_agent"),
    Field("thematic area name", "thematic_areas", "name"),
    Field("GCM objective title", "gcm_objectives", "title"),
    Field("guiding principle name", "guiding_principles", "name", "medium"),
    Field("marker name", "markers", "name", "medium"),
    Field("country name", "countries", "name", "medium"),
    Field("region name", "regions", "name", "short"),
    Field("currency name", "currencies", "name", "medium"),
    Field("fund outcome statement", "fund_outcomes", "statement"),
    Field("fund indicator name", "fund_indicators", "name"),
    Field("scoring criterion name", "scoring_criteria", "name"),
    Field("audit details", "audit_log", "details"),
]
BY_LABEL = {f.label: f for f in FIELDS}
#: Every tag a download may print, whatever the field: `=H07#123`.
ANY_TAG = re.compile(r"=H(\d\d)#[A-Za-z0-9]+")


def field(label: str) -> Field:
    return BY_LABEL[label]


def intact(text: str, squashed: bool = False) -> list[str]:
    """Where `text` holds a tag whose value is not printed whole and literally after it (empty: all fine)."""
    broken = []
    for match in ANY_TAG.finditer(text):
        f = FIELDS[int(match.group(1))]
        pattern = f.squashed_pattern() if squashed else f.value_pattern()
        if not pattern.match(text, match.start()):
            broken.append(f"{f.label}: {text[match.start() : match.start() + 160]!r}")
    return broken


def _key(table: sa.Table) -> sa.ColumnElement:
    """The row's id (tables without an `id` use their first primary-key column)."""
    return table.c.id if "id" in table.c else next(iter(table.primary_key.columns))


def protected_tables() -> list[str]:
    """The tables among FIELDS whose database triggers refuse updates (issue 11's tamper evidence)."""
    return sorted({f.table for f in FIELDS} & {*tamper.APPEND_ONLY, *tamper.SCOPED})


def seed() -> None:
    """Overwrite the columns with hostile values through SQL, with the append-only tables' triggers dropped
    inside the package's transaction (rolled back with it): the app refuses such updates, which is right for
    the app and beside the point here."""
    tables = db.metadata.tables
    with tamper.without_triggers(*protected_tables()):
        _overwrite(tables)
    db.session.expire_all()


def _overwrite(tables) -> None:
    for f in FIELDS:
        table = tables[f.table]
        column = table.c[f.column]
        key = sa.cast(_key(table), sa.String)
        if f.column == "details":  # JSON text: the value goes inside a JSON string
            before, after = json.dumps({"note": f"{f.tag}ID {f.markup}"}).split("ID")
            value = sa.literal(before) + key + sa.literal(after)
        else:
            value = sa.literal(f.tag) + key + sa.literal(" " + f.markup)
        length = getattr(column.type, "length", None)
        assert length is None or len(f.tag) + 8 + len(f.markup) <= length, (f.label, length)
        db.session.execute(table.update().values({f.column: value}))
