"""Catalogue completeness, per area (core.i18n DOMAINS): every message translated in every language, nothing
fuzzy, the same placeholders, the catalogues up to date with the code, and no visible text in a template left
unmarked. One test id per domain, so each area sees its own state.

UNFINISHED_DOMAINS lists the areas whose translation has not landed yet: their tests are expected to fail
(strict: an area that passes while still listed fails too, so the list shrinks as branches land).
"""

import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from fundapp.core.i18n import DEFAULT_LANGUAGE, DOMAINS, LANGUAGES

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "translations"
TRANSLATED = [code for code in LANGUAGES if code != DEFAULT_LANGUAGE]

#: Areas whose marking and translation are still under way on their own branches (the lead shrinks this).
UNFINISHED_DOMAINS: set[str] = set()

#: Visible text that is the same in every language: symbols, acronyms, codes and names.
ALLOWED_TEXT = re.compile(
    r"^(API|JSON|CSV|XLSX|PDF|IATI|IATI 2\.03|UTC|US\$|USD|ID|OK|fundapp|GCM|MPTF|"
    r"English|Français|Español|العربية|[A-Z]{2,4}(-\d+)?)$"
)
#: Attributes people read or hear (value only on buttons).
VISIBLE_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%[sd]")
JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
TRANS_BLOCK = re.compile(r"\{%-?\s*trans\b.*?\{%-?\s*endtrans\s*-?%\}", re.S)
#: As scripts/translations extracts.
EXTRACT_OPTIONS = ("-q", "extract", "-F", "babel.cfg", "-k", "_l", "-k", "_n:1,2", "--no-location", "--sort-output")
LETTERS = re.compile(r"[^\W\d_]{2,}")


def _marked(domain: str) -> pytest.param:
    marks = [pytest.mark.xfail(strict=True, reason=f"{domain}: translation not landed yet")]
    return pytest.param(domain, id=domain, marks=marks if domain in UNFINISHED_DOMAINS else [])


ALL_DOMAINS = [_marked(domain) for domain in DOMAINS]


def _catalogue(domain: str, lang: str):
    path = TRANSLATIONS / lang / "LC_MESSAGES" / f"{domain}.po"
    assert path.exists(), f"{path.relative_to(ROOT)} is missing: run scripts/translations update {domain}"
    with path.open("rb") as handle:
        return read_po(handle, locale=lang)


def _placeholders(text: str) -> set[str]:
    return {m.group(1) or m.group(0) for m in PLACEHOLDER.finditer(text)}


@pytest.mark.parametrize("domain", ALL_DOMAINS)
def test_catalogues_are_complete(domain):
    problems = []
    for lang in TRANSLATED:
        catalogue = _catalogue(domain, lang)
        for message in catalogue:
            if not message.id:
                continue
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            label = f"{lang}: {ids[0]!r}"
            if message.fuzzy:
                problems.append(f"{label} is fuzzy")
            if not all(strings):
                problems.append(f"{label} is not translated")
                continue
            expected = set().union(*(_placeholders(i) for i in ids))
            for form in strings:
                found = _placeholders(form)
                if found - expected or (len(ids) == 1 and found != expected):
                    problems.append(f"{label}: placeholders {sorted(found)} ≠ {sorted(expected)}")
            if len(ids) > 1 and len(strings) != catalogue.num_plurals:
                problems.append(f"{label}: {len(strings)} plural forms, {lang} has {catalogue.num_plurals}")
    assert problems == []


@pytest.mark.parametrize("domain", ALL_DOMAINS)
def test_catalogues_hold_every_marked_string(domain, tmp_path):
    """`scripts/translations update <domain>` would add nothing: the .pot and the .po files are current."""
    pot = tmp_path / f"{domain}.pot"
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run(
        [str(pybabel), *EXTRACT_OPTIONS, "-o", str(pot), *DOMAINS[domain]],
        cwd=ROOT,
        check=True,
    )
    with pot.open("rb") as handle:
        marked = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
    for lang in TRANSLATED:
        held = {m.id if isinstance(m.id, str) else m.id[0] for m in _catalogue(domain, lang) if m.id}
        missing = sorted(marked - held)
        assert missing == [], f"{lang}/{domain}.po lacks these: run scripts/translations update {domain}"


class _VisibleText(HTMLParser):
    """Text nodes and people-facing attributes of a template whose Jinja parts are blanked out."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._hidden += 1
        values = dict(attrs)
        names = list(VISIBLE_ATTRIBUTES)
        if tag == "button" or (tag == "input" and values.get("type") in ("submit", "button", "reset")):
            names += ["value"] if tag == "input" else []
        for name in names:
            if values.get(name):
                self._check(values[name], f"{tag}[{name}]")

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self._check(data, "text")

    def _check(self, text: str, where: str) -> None:
        for raw in text.split("\0"):
            piece = " ".join(raw.split())
            if LETTERS.search(piece) and not ALLOWED_TEXT.match(piece.strip(" ·:()–-—,.|/")):
                self.found.append(f"{where}: {piece!r}")


def unmarked_text(source: str) -> list[str]:
    """Visible text in a template outside `{{ _() }}` and `{% trans %}`: Jinja parts become a NUL (a break)."""
    blanked = JINJA.sub(" \0 ", TRANS_BLOCK.sub(" \0 ", source))
    parser = _VisibleText()
    parser.feed(blanked)
    parser.close()
    return parser.found


def _templates(domain: str) -> list[Path]:
    found = []
    for source in DOMAINS[domain]:
        path = ROOT / source
        if path.suffix == ".html":
            found.append(path)
        elif path.is_dir() and source.startswith("templates"):
            found += sorted(path.rglob("*.html"))
    return found


def test_the_scan_finds_unmarked_text():
    source = '<h1>Budget</h1><p>{{ _("Marked") }}</p><input placeholder="Type here"><p title="{{ _("x") }}">·</p>'
    assert unmarked_text(source) == ["text: 'Budget'", "input[placeholder]: 'Type here'"]
    assert unmarked_text("{% trans n=1 %}One note{% pluralize %}{{ n }} notes{% endtrans %}<b>USD</b>") == []


@pytest.mark.parametrize("domain", ALL_DOMAINS)
def test_templates_mark_their_visible_text(domain):
    found = {
        str(path.relative_to(ROOT)): problems
        for path in _templates(domain)
        if (problems := unmarked_text(path.read_text()))
    }
    assert found == {}


@pytest.mark.parametrize("lang", TRANSLATED)
def test_a_message_has_one_translation_across_areas(lang):
    """Flask-Babel merges the areas' catalogues into one, so a message (same English, no context) marked in two
    areas gets one translation: the last area's. Areas must agree, or a page's words depend on the merge order
    (give a context with pgettext when an area really needs other words)."""
    first: dict[object, tuple[str, object]] = {}
    disagreements = []
    for domain in DOMAINS:
        for message in _catalogue(domain, lang):
            if not message.id or message.context:
                continue
            key = message.id if isinstance(message.id, str) else tuple(message.id)
            if key in first and first[key][1] != message.string:
                disagreements.append(f"{key!r}: {first[key][0]} and {domain}")
            first.setdefault(key, (domain, message.string))
    assert disagreements == []
