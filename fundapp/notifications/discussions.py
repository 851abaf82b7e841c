"""Discussion threads: messages about one concept note or one joint programme between its organizations and the
Fund Management Unit, with clarification questions, @mentions and notifications.

Where the pieces live, and why:

- Each domain that has threads declares its own message table with the `DiscussionMessage` mixin (the same
  columns, plus a foreign key to what the thread is about, deleted with it): `concept_notes.models.NoteMessage`,
  `programmes.models.ProgrammeMessage`. A real foreign key per owner keeps each thread's integrity in the database
  (a message cannot point at a note that does not exist) without a low layer naming the tables of higher ones.
- Who reads and who writes a thread is each domain's rule, in its `permissions.py` (a note's partners read its
  thread because they read the note; donors see programmes but never their thread).
- What is the same for every thread lives here, in the notifications layer that every domain may use: the
  message's shape, reading mentions, the rules of clarification questions, and who is notified of a message.

A clarification question is a message the secretariat flags; a focal point of the thread's organizations answers
it by replying to it. A question without an answer is open. Messages are never edited or deleted (AppendOnly):
what was said stays said, as in the minutes.
"""

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import format_number
from markupsafe import Markup, escape
from sqlalchemy.orm import Mapped, aliased, declared_attr, mapped_column, relationship

from fundapp.auth.models import User
from fundapp.core import clock
from fundapp.core.errors import DomainError, NotAllowed
from fundapp.core.i18n import _, _l
from fundapp.core.models import AppendOnly
from fundapp.notifications.services import notify

#: The longest message, in characters.
MAX_LENGTH = 5000
#: "@applicant2@example.org" or "@applicant2": an email address, or its part before the @ when that is unambiguous
#: among the people who can read the thread. Not preceded by a word character, so an email in the text is no mention.
MENTION = re.compile(r"(?<![\w@.])@([\w.+-]*\w(?:@[\w-]+(?:\.[\w-]+)+)?)")


class DiscussionMessage(AppendOnly):
    """The columns of a message of any thread (a mixin: each domain adds the foreign key to its thread's owner)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    body: Mapped[str] = mapped_column(sa.Text)
    #: A clarification question of the Fund Management Unit, which the thread's organizations answer.
    is_question: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    #: JSON list of the ids of the people mentioned (they were notified).
    mentions: Mapped[str] = mapped_column(sa.Text, default="[]", server_default="[]")

    @declared_attr
    def author_id(cls) -> Mapped[int]:  # noqa: N805  (declared_attr takes the class)
        return mapped_column(sa.ForeignKey("users.id"))

    @declared_attr
    def answers_id(cls) -> Mapped[int | None]:  # noqa: N805
        """The clarification question this message answers, in the same thread (indexed: "is this question
        answered?" looks it up for every question an inbox lists)."""
        return mapped_column(sa.ForeignKey(f"{cls.__tablename__}.id"), index=True)

    @declared_attr
    def author(cls) -> Mapped[User]:  # noqa: N805
        return relationship(User, lazy="joined", innerjoin=True)

    @property
    def mentioned_ids(self) -> list[int]:
        return list(json.loads(self.mentions or "[]"))


def handle(user: User, people: Sequence[User]) -> str:
    """How to mention someone among these people: '@name' when the part of the email before the @ is theirs alone,
    else the whole address."""
    local = user.email.split("@", 1)[0].lower()
    clashes = sum(1 for p in people if p.email.split("@", 1)[0].lower() == local)
    return f"@{local}" if clashes == 1 else f"@{user.email.lower()}"


def find_mentions(body: str, people: Sequence[User]) -> list[User]:
    """The people a message mentions, in the order written; an @name that is none of `people` (those who can read
    the thread) is refused with a message that names it, so nobody is mentioned who could not read the thread."""
    by_email = {p.email.lower(): p for p in people}
    by_local: dict[str, list[User]] = {}
    for person in people:
        by_local.setdefault(person.email.split("@", 1)[0].lower(), []).append(person)
    found: list[User] = []
    unknown: list[str] = []
    for token in MENTION.findall(body):
        key = token.lower()
        person = by_email.get(key)
        if person is None and "@" not in key and len(by_local.get(key, [])) == 1:
            person = by_local[key][0]
        if person is None:
            unknown.append(f"@{token}")
        elif all(f.id != person.id for f in found):  # by id: a User compares by its session key
            found.append(person)
    if unknown:
        raise DomainError(
            _(
                "%(names)s: not someone who can read this discussion. Mention people from the list below the "
                "message box.",
                names=", ".join(unknown),
            ),
            field="body",
        )
    return found


@dataclass
class Draft:
    """A message checked and ready to be stored: its text, flags and the people it mentions."""

    body: str
    is_question: bool
    answers: DiscussionMessage | None
    mentioned: list[User] = field(default_factory=list)

    def columns(self, author: User) -> dict[str, Any]:
        return {
            "body": self.body,
            "is_question": self.is_question,
            "answers_id": self.answers.id if self.answers is not None else None,
            "author_id": author.id,
            "mentions": json.dumps([p.id for p in self.mentioned]),
        }


def check_message(
    author: User,
    body: str,
    *,
    readers: Sequence[User],
    may_ask: bool,
    may_answer: bool,
    is_question: bool = False,
    answers: DiscussionMessage | None = None,
) -> Draft:
    """Every rule of a new message, whatever the thread: some text, at most MAX_LENGTH characters; only those who
    may ask (the secretariat) flag a question; only those who may answer (the thread's organizations) answer one,
    and what they answer must be a question of this thread (the caller loads it from the thread); mentions name
    people who can read the thread (`readers`)."""
    text = (body or "").strip()
    if not text:
        raise DomainError(_("Write a message."), field="body")
    if len(text) > MAX_LENGTH:
        raise DomainError(
            _(
                "At most %(most)s characters (%(written)s written).",
                most=format_number(MAX_LENGTH),
                written=format_number(len(text)),
            ),
            field="body",
        )
    if is_question and not may_ask:
        raise NotAllowed(_("Only the Fund Management Unit asks clarification questions."))
    if answers is not None:
        if not may_answer:
            raise NotAllowed(_("Clarification questions are answered by the organizations of the thread."))
        if not answers.is_question:
            raise DomainError(_("Only a clarification question can be answered."), field="answers_id")
        if is_question:
            raise DomainError(_("An answer is not a new question."), field="is_question")
    return Draft(text, is_question, answers, find_mentions(text, readers))


def notify_thread(
    message: DiscussionMessage,
    *,
    reference: str,
    participants: Iterable[User],
    mentioned: Sequence[User],
    link: str,
) -> None:
    """Tell the thread's participants (its organizations' focal points and the secretariat) of a new message, and
    each person it mentions that they were mentioned; never the author, and each person once."""
    author = message.author
    excerpt = message.body if len(message.body) <= 300 else message.body[:297].rstrip() + "…"
    if message.is_question:
        subject = _l("%(reference)s: clarification requested by %(author)s", reference=reference, author=author.name)
    elif message.answers_id is not None:
        subject = _l(
            "%(reference)s: %(author)s answered a clarification question", reference=reference, author=author.name
        )
    else:
        subject = _l("%(reference)s: new message from %(author)s", reference=reference, author=author.name)
    mentioned_ids = {p.id for p in mentioned}
    notify(
        [p for p in mentioned if p.id != author.id],
        _l("%(reference)s: %(author)s mentioned you", reference=reference, author=author.name),
        excerpt,
        link,
    )
    notify(
        [p for p in participants if p.id != author.id and p.id not in mentioned_ids],
        subject,
        excerpt,
        link,
    )


def unanswered(model: type[DiscussionMessage]) -> sa.ColumnElement[bool]:
    """SQL: the thread table's clarification questions that no message of the same table answers yet."""
    answer = aliased(model)
    return sa.and_(model.is_question, ~sa.exists().where(answer.answers_id == model.id))


def excerpt(body: str, length: int = 160) -> str:
    """A message's text on one line, cut at a word near `length` characters (inbox items, lists)."""
    text = " ".join(body.split())
    if len(text) <= length:
        return text
    return text[:length].rsplit(" ", 1)[0].rstrip(",;:.") + " …"


def posted_label(message: DiscussionMessage) -> str:
    """What the author is told once a message is posted."""
    if message.is_question:
        return _("Clarification question sent: the organizations are notified.")
    if message.answers_id is not None:
        return _("Answer sent: the Fund Management Unit is notified.")
    return _("Message posted: the people in the discussion are notified.")


@dataclass
class Thread:
    """A thread as its page shows it: the messages oldest first, which questions are open, who may be mentioned."""

    messages: list[DiscussionMessage]
    #: question id → the messages answering it
    answers: dict[int, list[DiscussionMessage]]
    #: (person, their @handle, what they are: organisation code and role)
    people: list[tuple[User, str, str]]

    @property
    def open_questions(self) -> list[DiscussionMessage]:
        return [m for m in self.messages if m.is_question and not self.answers.get(m.id)]

    def answered(self, question: DiscussionMessage) -> bool:
        return bool(self.answers.get(question.id))


def thread(messages: Sequence[DiscussionMessage], readers: Sequence[User], describe: dict[int, str]) -> Thread:
    """Assemble a thread from its messages (oldest first) and the people who can read it."""
    answers: dict[int, list[DiscussionMessage]] = {}
    for message in messages:
        if message.answers_id is not None:
            answers.setdefault(message.answers_id, []).append(message)
    people = [(p, handle(p, readers), describe.get(p.id, "")) for p in readers]
    return Thread(list(messages), answers, people)


def render_body(message: DiscussionMessage, readers: Sequence[User]) -> Markup:
    """The message's text, escaped, with the people it mentioned highlighted (what was a mention when it was
    written stays one)."""
    ids = set(message.mentioned_ids)
    mentioned = {p.email.lower(): p for p in readers if p.id in ids}
    local = {p.email.split("@", 1)[0].lower(): p for p in mentioned.values()}

    def replace(match: re.Match) -> Markup:
        token = match.group(1).lower()
        person = mentioned.get(token) or local.get(token)
        if person is None:
            return escape(match.group(0))
        return Markup('<span class="mention" title="{}">@{}</span>').format(person.email, person.name)

    parts: list[Markup] = []
    last = 0
    for match in MENTION.finditer(message.body):
        parts.append(escape(message.body[last : match.start()]))
        parts.append(replace(match))
        last = match.end()
    parts.append(escape(message.body[last:]))
    return Markup("").join(parts)
