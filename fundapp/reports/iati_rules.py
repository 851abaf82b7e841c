"""Checks an IATI activity file as a registry would: the 2.03 schema, the IATI Standard's ruleset, the codelists.

Everything it reads ships with fundapp (fundapp/reports/data, each folder with its licence and source), so it runs
offline and anyone can run it on an export: ``flask iati validate FILE``.

- **Schema**: ``iati-2.03/iati-activities-schema.xsd`` (IATI-Schemas, version-2.03).
- **Ruleset**: ``iati-rulesets/standard.json``, the IATI Standard ruleset of the IATI-Rulesets project (the rules
  the IATI Validator applies, each with its id, severity and message). Every rule type it uses is interpreted here
  the way its specification (SPEC.rst of that project) describes them: ``atleast_one``, ``no_more_than_one``,
  ``only_one_of``, ``one_or_all``, ``dependent``, ``sum``, ``strict_sum``, ``range``, ``date_order``, ``date_now``,
  ``time_limit``, ``between_dates``, ``regex_matches``, ``regex_no_matches``, ``startswith``, ``unique``,
  ``if_then``, ``loop`` and ``no_spaces``. Two notes: ``NOW`` is the day the check runs (`today`), and an
  ``idCondition`` (skip identifiers the Registry already knows) is not applied: without the Registry's list,
  every identifier is checked, which can only find more. In a ``loop``, ``$1`` is put only into the keys its
  ``subs`` names, as the IATI Validator (IATI/js-validator-api) and IATI-Rulesets' own Python do: a condition
  that names ``$1`` without listing it in ``subs`` is never met there, nor here (fundapp's tests check the sums per
  vocabulary themselves).
- **Codelists**: ``iati-codelists/mapping.xml`` (IATI-Codelists: which attribute takes which codelist, under
  which condition) and the codelists an export of fundapp uses, embedded and non-embedded. A value missing from
  its codelist, or withdrawn from it, is a finding; so is a value whose codelist is not shipped (it could not be
  checked).

Findings carry a rule id (the ruleset's, ``schema``, or ``codelist:<Name>``), a severity (error or warning), the
XPath of the element concerned and a message.
"""

import json
import math
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from lxml import etree

DATA = Path(__file__).resolve().parent / "data"
SCHEMA_FILE = DATA / "iati-2.03" / "iati-activities-schema.xsd"
RULESET_FILE = DATA / "iati-rulesets" / "standard.json"
CODELISTS = DATA / "iati-codelists"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_DATE = re.compile(r"^(-?\d{4,})-(\d{2})-(\d{2})")


@dataclass(frozen=True, order=True)
class Finding:
    xpath: str
    rule: str
    severity: str
    message: str

    def __str__(self) -> str:
        return f"{self.severity} {self.rule} {self.xpath}: {self.message}"


# Schema -----------------------------------------------------------------------------------------------------


@cache
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA_FILE)))


def schema_findings(doc: etree._ElementTree) -> list[Finding]:
    checker = schema()
    if checker.validate(doc):
        return []
    return [Finding(e.path or "/", "schema", "error", f"line {e.line}: {e.message}") for e in checker.error_log]


# Ruleset ----------------------------------------------------------------------------------------------------


@cache
def ruleset() -> dict[str, dict[str, Any]]:
    return json.loads(RULESET_FILE.read_text(encoding="utf-8"))


def _text(node: Any) -> str:
    if isinstance(node, etree._Element):
        return node.text or ""
    return str(node)


def _truthy(value: Any) -> bool:
    """XPath 1.0's boolean(): a node-set is true when not empty, a number when neither 0 nor NaN."""
    if isinstance(value, list):
        return bool(value)
    if isinstance(value, float):
        return not math.isnan(value) and value != 0
    return bool(value)


def _nodes(element: etree._Element, path: str) -> list[Any]:
    found = element.xpath(path)
    return found if isinstance(found, list) else [found]


def _date(text: str) -> date | None:
    match = _DATE.match(text.strip())
    if not match:
        return None
    try:
        return date(*(int(g) for g in match.groups()))
    except ValueError:
        return None


def _number(text: str) -> Decimal | None:
    try:
        return Decimal(text.strip())
    except (InvalidOperation, AttributeError):
        return None


class _Rules:
    """The rule types of the ruleset specification; each returns True (passes), False (fails) or None (not
    applicable)."""

    def __init__(self, element: etree._Element, case: dict[str, Any], today: date, prefixes: frozenset[str]):
        self.element = element
        self.case = case
        self.today = today
        self.prefixes = prefixes
        self.matches = [n for path in case.get("paths", []) for n in _nodes(element, path)]

    def _dates(self, path: str) -> list[date]:
        if path == "NOW":
            return [self.today]
        return [d for d in (_date(_text(n)) for n in _nodes(self.element, path)) if d is not None]

    def atleast_one(self) -> bool:
        return len(self.matches) >= 1

    def no_more_than_one(self) -> bool:
        return len(self.matches) <= 1

    def only_one_of(self) -> bool:
        if any(_nodes(self.element, path) for path in self.case["excluded"]):
            return not self.matches
        return len(self.matches) == 1

    def one_or_all(self) -> bool:
        if _nodes(self.element, self.case["one"]):
            return True
        kind = self.case["all"]
        if kind == "lang":
            return all(n.get(XML_LANG) for n in self.element.iter("narrative"))
        if kind == "sector":
            return all(t.find("sector") is not None for t in self.element.findall("transaction"))
        if kind == "currency":
            return all(
                v.get("currency") for tag in ("value", "forecast", "loan-status") for v in self.element.iter(tag)
            )
        return bool(_nodes(self.element, kind))

    def dependent(self) -> bool:
        present = [bool(_nodes(self.element, path)) for path in self.case["paths"]]
        return all(present) or not any(present)

    def _sum(self) -> Decimal | None:
        values = [_number(_text(n)) for n in self.matches]
        return None if None in values else sum(values, Decimal(0))

    def sum(self) -> bool | None:
        if not self.matches:
            return None
        return self._sum() == Decimal(str(self.case["sum"]))

    def strict_sum(self) -> bool:
        return self._sum() == Decimal(str(self.case["sum"]))

    def range(self) -> bool:
        low, high = self.case.get("min"), self.case.get("max")
        for node in self.matches:
            value = _number(_text(node))
            if value is None or (low is not None and value < Decimal(str(low))):
                return False
            if high is not None and value > Decimal(str(high)):
                return False
        return True

    def date_order(self) -> bool | None:
        less, more = self._dates(self.case["less"]), self._dates(self.case["more"])
        if not less or not more:
            return None
        return max(less) <= min(more)

    def date_now(self) -> bool | None:
        nodes = _nodes(self.element, self.case["date"])
        if not nodes:
            return None
        stamp = _text(nodes[0]).strip()
        try:
            moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        except ValueError:
            return False
        return moment.date() <= self.today

    def time_limit(self) -> bool | None:
        start, end = self._dates(self.case["start"]), self._dates(self.case["end"])
        if not start or not end:
            return None
        try:
            limit = start[0].replace(year=start[0].year + 1)
        except ValueError:  # 29 February
            limit = start[0].replace(year=start[0].year + 1, day=28)
        return end[0] <= limit

    def between_dates(self) -> bool | None:
        day, start, end = (self._dates(self.case[k]) for k in ("date", "start", "end"))
        if not day or not start or not end:
            return None
        return start[0] <= day[0] <= end[0]

    def regex_matches(self) -> bool:
        pattern = re.compile(self.case["regex"])
        return all(pattern.search(_text(n)) for n in self.matches)

    def regex_no_matches(self) -> bool:
        pattern = re.compile(self.case["regex"])
        return not any(pattern.search(_text(n)) for n in self.matches)

    def startswith(self) -> bool:
        separator = self.case.get("separator", "")
        starts: set[str] = set()
        for path in self.case.get("prefix", []):
            if path == "ORG-ID-PREFIX":
                starts |= self.prefixes
            else:
                starts |= {_text(n) + separator for n in _nodes(self.element, path) if _text(n)}
        return all(any(_text(n).startswith(s) for s in starts) for n in self.matches)

    def unique(self) -> bool:
        texts = [_text(n) for n in self.matches]
        return len(texts) == len(set(texts))

    def if_then(self) -> bool:
        return _truthy(self.element.xpath(self.case["then"])) if _truthy(self.element.xpath(self.case["if"])) else True

    def no_spaces(self) -> bool:
        return all(_text(n) == _text(n).strip() for n in self.matches)


def _substitute(value: Any, found: str) -> Any:
    if isinstance(value, list):
        return [v.replace("$1", found) for v in value]
    return value.replace("$1", found) if isinstance(value, str) else value


def _apply(
    rule: str, case: dict[str, Any], element: etree._Element, today: date, prefixes: frozenset[str]
) -> list[tuple[dict[str, Any], bool | None]]:
    """(the case that was checked, its result) for one rule case on one element; loops give one per value."""
    if rule == "loop":
        results = []
        for found in sorted({_text(n) for n in _nodes(element, case["foreach"])}):
            for inner_rule, inner in case["do"].items():
                for inner_case in inner["cases"]:
                    substituted = {
                        key: (_substitute(v, found) if key in case.get("subs", []) else v)
                        for key, v in inner_case.items()
                    }
                    results += _apply(inner_rule, substituted, element, today, prefixes)
        return results
    if "condition" in case and not _truthy(element.xpath(case["condition"])):
        return [(case, None)]
    checker = _Rules(element, case, today, prefixes)
    return [(case, getattr(checker, rule)())]


def ruleset_findings(doc: etree._ElementTree, today: date) -> list[Finding]:
    """Every failed rule of the standard ruleset, one finding per element and rule case."""
    prefixes = frozenset(codes("OrganisationRegistrationAgency"))
    findings = []
    for context, rules in ruleset().items():
        for element in doc.xpath(context):
            for rule, body in rules.items():
                for case in body["cases"]:
                    for checked, result in _apply(rule, case, element, today, prefixes):
                        if result is False:
                            info = checked.get("ruleInfo", {})
                            findings.append(
                                Finding(
                                    doc.getpath(element),
                                    info.get("id", rule),
                                    info.get("severity", "error"),
                                    info.get("message", f"{rule} failed"),
                                )
                            )
    return findings


# Codelists --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Codelist:
    name: str
    active: frozenset[str]
    withdrawn: frozenset[str]


@cache
def codelist(name: str) -> Codelist | None:
    path = CODELISTS / f"{name}.xml"
    if not path.exists():
        return None
    root = etree.parse(str(path)).getroot()
    active, withdrawn = set(), set()
    for item in root.iter("codelist-item"):
        code = (item.findtext("code") or "").strip()
        (withdrawn if item.get("status") == "withdrawn" else active).add(code)
    return Codelist(name, frozenset(active), frozenset(withdrawn - active))


def codes(name: str) -> set[str]:
    found = codelist(name)
    return set(found.active) if found else set()


@cache
def mappings() -> list[tuple[str, str, str | None]]:
    """(XPath, codelist, condition) of IATI-Codelists' mapping.xml, for activity files."""
    root = etree.parse(str(CODELISTS / "mapping.xml")).getroot()
    return [
        (m.findtext("path"), m.find("codelist").get("ref"), m.findtext("condition"))
        for m in root.iter("mapping")
        if "iati-organisation" not in m.findtext("path")
    ]


def codelist_findings(doc: etree._ElementTree) -> list[Finding]:
    """Every coded value that is not an active code of its codelist."""
    findings = []
    for path, name, condition in mappings():
        for value in doc.xpath(path):
            owner = value.getparent()
            if condition and not _truthy(owner.xpath(condition)):
                continue
            where = doc.getpath(owner) + ("/" + path.rsplit("/", 1)[1] if "/@" in path else "")
            found = codelist(name)
            text = str(value).strip()
            if found is None:
                findings.append(
                    Finding(where, f"codelist:{name}", "error", f"{text!r}: the {name} codelist is not shipped")
                )
            elif text in found.withdrawn:
                findings.append(Finding(where, f"codelist:{name}", "warning", f"{text!r} is withdrawn from {name}"))
            elif text not in found.active:
                findings.append(Finding(where, f"codelist:{name}", "error", f"{text!r} is not a code of {name}"))
    return findings


def validate(data: bytes, today: date) -> list[Finding]:
    """Schema, ruleset and codelist findings for an IATI activity file, sorted by place; [] when it passes."""
    try:
        doc = etree.ElementTree(etree.fromstring(data))
    except etree.XMLSyntaxError as exc:
        return [Finding("/", "xml", "error", str(exc))]
    return sorted(schema_findings(doc) + ruleset_findings(doc, today) + codelist_findings(doc))
