"""The form of a message in a discussion thread (notifications.discussions), the same in every thread."""

from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, Regexp

from fundapp.core.i18n import _l
from fundapp.notifications.discussions import MAX_LENGTH


class MessageForm(FlaskForm):
    body = TextAreaField(
        _l("Your message"),
        validators=[InputRequired(message=_l("Write a message.")), Length(max=MAX_LENGTH)],
        description=_l(
            "To mention someone who can read this discussion, write their handle from the list below (@name)."
        ),
    )
    is_question = BooleanField(_l("Ask as a clarification question: the organizations are asked to answer it"))
    #: The clarification question this message answers (a reply from the question's "Answer" link).
    answers_id = HiddenField(
        validators=[Optional(), Regexp(r"^\d{1,9}$", message=_l("Answer a question of this page."))]
    )

    def __init__(self, *args: Any, answering: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_submitted() and answering:
            self.answers_id.data = str(answering)

    @property
    def answering(self) -> int | None:
        return int(self.answers_id.data) if (self.answers_id.data or "").isdigit() else None
