"""What the domains' search queries share: the words of a query, LIKE patterns that match literally, references.

Each domain answers the search box with a SELECT of (kind, id, rank, title) over what the user may open (its
visibility rule as an SQL filter); the home page puts them together with UNION ALL and pages through them in SQL.
Rank orders the hits: 0 an exact reference (CN-0037), 1 a title starting with the query, 2 the rest.
"""

import re

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

#: Words of a query that count (more are ignored), and the longest word kept.
MAX_TERMS = 8
MAX_TERM_LENGTH = 60
EXACT, STARTS, CONTAINS = 0, 1, 2


def terms(query: str) -> list[str]:
    """The query's words, lower case, without repeats."""
    words: list[str] = []
    for raw in (query or "").lower().split():
        word = raw[:MAX_TERM_LENGTH]
        if word not in words:
            words.append(word)
    return words[:MAX_TERMS]


def like_pattern(text: str, prefix_only: bool = False) -> str:
    """A LIKE pattern matching `text` literally (its %, _ and backslashes escaped; use escape="\\")."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"{escaped}%" if prefix_only else f"%{escaped}%"


class CaseFolded(FunctionElement):
    """The text as LIKE should see it to ignore case: lower(text). On SQLite the text itself: its LIKE already
    ignores the case of ASCII letters, the only ones its lower() folds, so lower() would change no match and
    cost a copy of every title scanned."""

    type = sa.String()
    inherit_cache = True
    name = "case_folded"


@compiles(CaseFolded)
def _lower(element: CaseFolded, compiler, **kw) -> str:
    return f"lower({compiler.process(element.clauses, **kw)})"


@compiles(CaseFolded, "sqlite")
def _as_is(element: CaseFolded, compiler, **kw) -> str:
    return f"({compiler.process(element.clauses, **kw)})"


def contains_all(text: sa.ColumnElement[str], words: list[str]) -> sa.ColumnElement[bool]:
    """Every word appears in the text (case-insensitive)."""
    lowered = CaseFolded(text)
    return sa.and_(sa.true(), *(lowered.like(like_pattern(w), escape="\\") for w in words))


def starts_with(text: sa.ColumnElement[str], query: str) -> sa.ColumnElement[bool]:
    return CaseFolded(text).like(like_pattern(" ".join(terms(query)), prefix_only=True), escape="\\")


def reference_number(query: str, *prefixes: str) -> int | None:
    """The number in a reference typed as "CN-0037", "cn 37" or "CN37" (one of the prefixes), else None."""
    match = re.fullmatch(r"\s*([a-z]+)[\s-]*0*(\d{1,9})\s*", (query or "").lower())
    if not match or match.group(1) not in {p.lower() for p in prefixes}:
        return None
    return int(match.group(2))


def rank(exact: sa.ColumnElement[bool] | None, text: sa.ColumnElement[str], query: str) -> sa.ColumnElement[int]:
    """EXACT for the referenced object, STARTS when the text starts with the query, else CONTAINS."""
    whens = [(exact, EXACT)] if exact is not None else []
    return sa.case(*whens, (starts_with(text, query), STARTS), else_=CONTAINS)


def hits(kind: str, id_column: sa.ColumnElement[int], rank_expr: sa.ColumnElement[int], title: sa.ColumnElement[str]):
    """The four columns every domain's search SELECT gives, labelled alike so they UNION."""
    return (
        sa.literal(kind, sa.String(20)).label("kind"),
        id_column.label("id"),
        rank_expr.label("rank"),
        sa.func.lower(title).label("title"),
    )
