"""Passwords: argon2 hashing, a dummy verification for unknown accounts, and the strength policy.

The policy (PASSWORD_MIN_LENGTH characters and a zxcvbn score of at least PASSWORD_MIN_SCORE) applies to
every password a person chooses: an invitation, a reset, a change, an account made on the command line.
The demo fund's published password never goes through it: the demo seeder sets its hashes with
`hash_password` directly (`services.create_user(..., demo=True)`), and the policy refuses that password
for anyone else.
"""

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from zxcvbn import zxcvbn

from fundapp.core.errors import DomainError
from fundapp.core.i18n import _, _l

#: Passwords that are public knowledge here, refused whatever their score: the demo's published password.
PUBLISHED_PASSWORDS = frozenset({"fundapp-demo"})
#: zxcvbn's cost grows with the length; what lies beyond this only adds strength.
_SCORED_LENGTH = 100
#: The longest password accepted (argon2 takes any length; this bounds the work per attempt).
MAX_LENGTH = 200


#: zxcvbn's advice is English only (it calls the standard library's gettext with no catalogue): each of its
#: fixed texts (zxcvbn/feedback.py), keyed by the English it returns, marked here to be shown translated.
FEEDBACK = {
    "Use a few words, avoid common phrases.": _l("Use a few words, avoid common phrases."),
    "No need for symbols, digits, or uppercase letters.": _l("No need for symbols, digits, or uppercase letters."),
    "Add another word or two. Uncommon words are better.": _l("Add another word or two. Uncommon words are better."),
    "Straight rows of keys are easy to guess.": _l("Straight rows of keys are easy to guess."),
    "Short keyboard patterns are easy to guess.": _l("Short keyboard patterns are easy to guess."),
    "Use a longer keyboard pattern with more turns.": _l("Use a longer keyboard pattern with more turns."),
    'Repeats like "aaa" are easy to guess.': _l('Repeats like "aaa" are easy to guess.'),
    'Repeats like "abcabcabc" are only slightly harder to guess than "abc".': _l(
        'Repeats like "abcabcabc" are only slightly harder to guess than "abc".'
    ),
    "Avoid repeated words and characters.": _l("Avoid repeated words and characters."),
    'Sequences like "abc" or "6543" are easy to guess.': _l('Sequences like "abc" or "6543" are easy to guess.'),
    "Avoid sequences.": _l("Avoid sequences."),
    "Recent years are easy to guess.": _l("Recent years are easy to guess."),
    "Avoid recent years.": _l("Avoid recent years."),
    "Avoid years that are associated with you.": _l("Avoid years that are associated with you."),
    "Dates are often easy to guess.": _l("Dates are often easy to guess."),
    "Avoid dates and years that are associated with you.": _l("Avoid dates and years that are associated with you."),
    "This is a top-10 common password.": _l("This is a top-10 common password."),
    "This is a top-100 common password.": _l("This is a top-100 common password."),
    "This is a very common password.": _l("This is a very common password."),
    "This is similar to a commonly used password.": _l("This is similar to a commonly used password."),
    "A word by itself is easy to guess.": _l("A word by itself is easy to guess."),
    "Names and surnames by themselves are easy to guess.": _l("Names and surnames by themselves are easy to guess."),
    "Common names and surnames are easy to guess.": _l("Common names and surnames are easy to guess."),
    "Capitalization doesn't help very much.": _l("Capitalization doesn't help very much."),
    "All-uppercase is almost as easy to guess as all-lowercase.": _l(
        "All-uppercase is almost as easy to guess as all-lowercase."
    ),
    "Reversed words aren't much harder to guess.": _l("Reversed words aren't much harder to guess."),
    "Predictable substitutions like '@' instead of 'a' don't help very much.": _l(
        "Predictable substitutions like '@' instead of 'a' don't help very much."
    ),
}
#: zxcvbn's score (0–4) as a person reads it.
STRENGTH = {
    0: _l("very weak"),
    1: _l("weak"),
    2: _l("fair"),
    3: _l("strong"),
    4: _l("very strong"),
}


def hint(text: str) -> str:
    """One of zxcvbn's texts in the language being spoken (a text it may add later stays in English, ending
    with a full stop like the others)."""
    known = FEEDBACK.get(text)
    if known is not None:
        return str(known)
    return text if text.endswith(".") else f"{text}."


def strength_label(score: int) -> str:
    return str(STRENGTH.get(score, STRENGTH[0]))


class WeakPassword(DomainError):
    field = "new_password"


def _hasher() -> PasswordHasher:
    return PasswordHasher(
        time_cost=current_app.config["PASSWORD_HASH_TIME_COST"],
        memory_cost=current_app.config["PASSWORD_HASH_MEMORY_COST"],
    )


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_hash(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with other costs than the configured ones (rehashed on sign-in)."""
    try:
        return _hasher().check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


def _dummy_hash() -> str:
    """A hash of a random password made with today's costs, computed once per process and cost."""
    costs = (current_app.config["PASSWORD_HASH_TIME_COST"], current_app.config["PASSWORD_HASH_MEMORY_COST"])
    cache = current_app.extensions.setdefault("fundapp.dummy_hashes", {})
    if costs not in cache:
        cache[costs] = hash_password(secrets.token_urlsafe(16))
    return cache[costs]


def spend_one_verification(password: str) -> None:
    """Verify against a dummy hash: an unknown account costs what a known one does, so timing does
    not tell whether an account exists."""
    verify_hash(_dummy_hash(), password)


def check_password_strength(password: str, user_inputs: list[str], field: str = "new_password") -> None:
    """Refuse a password that is short, guessable or about the person; the message says how to do better.

    `user_inputs` are words a guesser would try first for this person (email, name, organisation).
    """
    password = password or ""
    config = current_app.config
    minimum = config["PASSWORD_MIN_LENGTH"]
    if len(password) > MAX_LENGTH:
        raise WeakPassword(_("Use at most %(count)s characters.", count=MAX_LENGTH), field=field)
    words = [w for value in user_inputs for w in _words(value)]
    if password.lower() in PUBLISHED_PASSWORDS:
        raise WeakPassword(_("This password is published with the demo fund: choose your own."), field=field)
    result = zxcvbn(password[:_SCORED_LENGTH], user_inputs=[*words, "fundapp"])
    feedback = result["feedback"]
    hints = [feedback.get("warning") or "", *feedback.get("suggestions", [])]
    advice = " ".join(hint(h) for h in hints if h)
    strength = _("Strength: %(label)s.", label=strength_label(result["score"]))
    if len(password) < minimum:
        first = _("Use at least %(count)s characters.", count=minimum)
        raise WeakPassword(_join(first, advice, strength), field=field)
    if result["score"] < config["PASSWORD_MIN_SCORE"]:
        fallback = _("Add another word or two; uncommon words are better.")
        raise WeakPassword(_join(_("This password is too easy to guess."), advice or fallback, strength), field=field)


def _words(value: str) -> list[str]:
    """An email or a name as the words a guesser would try: the whole, and its parts."""
    value = (value or "").lower()
    parts = value.replace("@", " ").replace(".", " ").replace("-", " ").replace("_", " ").split()
    return [value, *parts] if value else []


def _join(*sentences: str) -> str:
    return " ".join(s for s in sentences if s)
