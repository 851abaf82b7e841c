"""The reference data's names in the reader's language.

The database keeps each record's English name (the secretariat may correct it). The fund's reference file gives
the other languages beside it: `names: {fr, es, ar}` on each thematic area, GCM objective, guiding principle,
marker, marker level, scoring criterion and alignment indicator, in the official wording of the Global Compact
(A/RES/73/195, published in the six UN languages); `descriptions` and `measurements` the same way for the
longer texts. A record is found by its code (or number, or score), so a name corrected in English keeps its
official translations; a record the file does not know (one the secretariat added) is shown in English.

Countries and currencies take their names from the ISO 3166 and ISO 4217 catalogues pycountry carries.
"""

import gettext
import json
from functools import cache
from pathlib import Path
from typing import Any

import pycountry
from flask import current_app, has_app_context

from fundapp.core.i18n import DEFAULT_LANGUAGE, language

#: The reference file's sections that carry names per language: kind -> (where the items are, their key).
SECTIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "thematic_areas": (("thematic_areas",), "code"),
    "gcm_objectives": (("gcm_objectives",), "number"),
    "guiding_principles": (("guiding_principles",), "code"),
    "markers": (("markers", "markers"), "code"),
    "marker_levels": (("markers", "scale"), "score"),
    "scoring_criteria": (("scoring_criteria",), "code"),
    "alignment_indicators": (("alignment_indicators", "indicators"), "code"),
}

Translations = dict[tuple[str, str], dict[str, dict[str, str]]]


@cache
def _load(path: str) -> Translations:
    """(kind, key) -> {"names": {lang: text}, "descriptions": {...}, "measurements": {...}} from the file."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    table: Translations = {}
    for kind, (where, key) in SECTIONS.items():
        items: Any = data
        for part in where:
            items = items.get(part, {}) if isinstance(items, dict) else {}
        for item in items if isinstance(items, list) else []:
            texts = {field: item[field] for field in ("names", "descriptions", "measurements") if field in item}
            if texts:
                table[(kind, str(item[key]))] = texts
    return table


def _translations() -> Translations:
    path = current_app.config.get("REFERENCE_DATA_FILE") if has_app_context() else None
    return _load(str(path)) if path else {}


def translated(kind: str, key: object, english: str, field: str = "names") -> str:
    """The record's text in the reader's language, or its English text when there is no translation."""
    lang = language()
    if lang == DEFAULT_LANGUAGE:
        return english
    return _translations().get((kind, str(key)), {}).get(field, {}).get(lang) or english


@cache
def _iso_catalogue(domain: str, lang: str) -> gettext.NullTranslations:
    return gettext.translation(domain, pycountry.LOCALES_DIR, languages=[lang], fallback=True)


def iso_name(domain: str, english: str) -> str:
    """A country's (iso3166-1) or currency's (iso4217) name in the reader's language."""
    lang = language()
    if lang == DEFAULT_LANGUAGE:
        return english
    return _iso_catalogue(domain, lang).gettext(english)


def country_name(code: str, english: str) -> str:
    """A country's name in the reader's language: its common name's translation, else its ISO name's."""
    lang = language()
    if lang == DEFAULT_LANGUAGE:
        return english
    catalogue = _iso_catalogue("iso3166-1", lang)
    iso = pycountry.countries.get(alpha_3=code)
    for candidate in (english, getattr(iso, "common_name", None), getattr(iso, "name", None)):
        if candidate and (text := catalogue.gettext(candidate)) != candidate:
            return text
    return english
