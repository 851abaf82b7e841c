"""Forms of the results framework and the alignment indicators: shape only; the rules are the services'.

Each form hands the services plain values (IndicatorInput, AlignmentInput)."""

from decimal import Decimal
from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, FieldList, Form, FormField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import NumberInput

from fundapp.core.forms import DecimalField, IntegerField, choices, coerce_id
from fundapp.reference.models import GuidingPrinciple, Marker
from fundapp.results.alignment import DEFAULT_THRESHOLDS, MEASURE_KIND_LABELS, MeasureKind
from fundapp.results.models import AlignmentIndicator, FundIndicator
from fundapp.results.rollup import NO_WORDS, PLAIN_NUMBER, UNIT_LABELS, YES_WORDS, Direction, plain
from fundapp.results.services import AlignmentInput, IndicatorInput


class IndicatorValueField(StringField):
    """A baseline or target, drawn as a number input: a number (a request may also write thousands separators,
    % or US$) or, for yes / no indicators, 1 or 0 (yes or no in a request). The unit's own rules (0–100, whole
    numbers, cents) are the service's, with the same messages as every other indicator value
    (results.rollup.value_problem)."""

    widget = NumberInput(step="any")

    def process_formdata(self, valuelist: list[str]) -> None:
        text = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if not text:
            return
        if text.lower() in YES_WORDS | NO_WORDS:
            self.data = Decimal(1) if text.lower() in YES_WORDS else Decimal(0)
            return
        cleaned = text.replace(",", "").replace("US$", "").replace("%", "").replace(" ", "")
        if not PLAIN_NUMBER.fullmatch(cleaned):
            raise ValueError("Enter a number such as 1250 or 45.5 (for a yes / no indicator: yes or no).")
        self.data = Decimal(cleaned)

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else plain(self.data)


class DirectionField(SelectField):
    """Increase or decrease. A request without it (an older client) lets the service take the direction the
    baseline and target imply; anything else is refused next to the field."""

    def __init__(self, label: str = "Desired direction", **kwargs: Any) -> None:
        kwargs.setdefault(
            "choices",
            choices(
                [
                    (Direction.increase.value, "Increase: the target is above the baseline (or keeps it)"),
                    (Direction.decrease.value, "Decrease: the target is below the baseline (or keeps it)"),
                ]
            ),
        )
        super().__init__(label, validate_choice=False, **kwargs)

    def pre_validate(self, form: Any) -> None:
        if self.data not in (None, "", *(d.value for d in Direction)):
            raise ValidationError("Choose increase or decrease.")


class OutcomeForm(FlaskForm):
    code = StringField(
        "Code", validators=[InputRequired(), Length(max=20)], description="Unique in the area, e.g. 1.2."
    )
    statement = TextAreaField("Outcome statement", validators=[InputRequired(), Length(max=600)])


class IndicatorForm(FlaskForm):
    code = StringField(
        "Code", validators=[InputRequired(), Length(max=20)], description="Unique in the thematic area, e.g. 1.2.a."
    )
    name = TextAreaField("Indicator", validators=[InputRequired(), Length(max=600)])
    unit = SelectField("Unit", choices=choices((u.value, label) for u, label in UNIT_LABELS.items()))
    direction = DirectionField()
    baseline_value = IndicatorValueField(
        "Baseline value",
        validators=[InputRequired()],
        description="Numbers are whole; amounts US$ with cents; percentages 0–100; yes / no: 1 for yes, 0 for no.",
    )
    baseline_year = IntegerField("Baseline year", validators=[InputRequired()])
    target_value = IndicatorValueField("Target value", validators=[InputRequired()])
    target_year = IntegerField("Target year", validators=[InputRequired()])
    means_of_verification = TextAreaField(
        "Means of verification", validators=[Optional(), Length(max=2000)], description="Where the figure comes from."
    )
    by_sex = BooleanField("Disaggregated by sex")
    by_age_group = BooleanField("Disaggregated by age group")
    by_migratory_status = BooleanField("Disaggregated by migratory status")

    @classmethod
    def for_indicator(cls, indicator: FundIndicator) -> "IndicatorForm":
        """The posted form, or else the indicator with its values written plainly (40, not 40.000000)."""
        form = cls(obj=indicator)
        if not form.is_submitted():
            form.unit.data = indicator.unit.value
            form.direction.data = indicator.direction.value
            form.baseline_value.data = Decimal(plain(indicator.baseline_value))
            form.target_value.data = Decimal(plain(indicator.target_value))
        return form

    def indicator_input(self) -> IndicatorInput:
        return IndicatorInput(
            code=self.code.data or "",
            name=self.name.data or "",
            unit=self.unit.data,
            baseline_value=self.baseline_value.data,
            baseline_year=self.baseline_year.data,
            target_value=self.target_value.data,
            target_year=self.target_year.data,
            means_of_verification=self.means_of_verification.data or "",
            by_sex=self.by_sex.data,
            by_age_group=self.by_age_group.data,
            by_migratory_status=self.by_migratory_status.data,
            direction=self.direction.data,
        )


class ActiveForm(FlaskForm):
    """Retire (active=0) or reinstate (active=1)."""

    active = HiddenField(validators=[InputRequired()])

    def validate_active(self, field: HiddenField) -> None:
        if field.data not in ("0", "1"):
            raise ValidationError("Retire (0) or reinstate (1).")

    @property
    def is_active(self) -> bool:
        return self.active.data == "1"


class DeleteForm(FlaskForm):
    pass


class AlignmentIndicatorForm(FlaskForm):
    principle_id = SelectField("Guiding principle", coerce=coerce_id, validate_choice=True)
    code = StringField("Code", validators=[InputRequired(), Length(max=20)])
    name = StringField("Indicator", validators=[InputRequired(), Length(max=300)])
    measurement = TextAreaField("How it is measured", validators=[Optional(), Length(max=2000)])
    kind = SelectField("Measure", choices=choices((k.value, label) for k, label in MEASURE_KIND_LABELS.items()))
    marker_id = SelectField(
        "Marker", coerce=coerce_id, validate_choice=True, description="Marker scores only: which marker is measured."
    )
    threshold_1 = DecimalField("Score 1 from", places=None, validators=[Optional()])
    threshold_2 = DecimalField("Score 2 from", places=None, validators=[Optional()])
    threshold_3 = DecimalField("Score 3 from", places=None, validators=[Optional()])

    def __init__(self, *args, principles: list[GuidingPrinciple], markers: list[Marker], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        principle_choices = [(p.id, f"({p.code}) {p.name}") for p in principles]
        self.principle_id.choices = choices([(0, "— choose a principle —"), *principle_choices])
        self.marker_id.choices = choices([(0, "— none —"), *((m.id, m.name) for m in markers)])

    @classmethod
    def for_new(
        cls, principles: list[GuidingPrinciple], markers: list[Marker], principle_id: int
    ) -> "AlignmentIndicatorForm":
        """The posted form, or else a marker-score indicator of the given principle with its usual thresholds."""
        form = cls(principles=principles, markers=markers)
        if not form.is_submitted():
            form.principle_id.data = principle_id
            thresholds = DEFAULT_THRESHOLDS[MeasureKind.marker]
            form.threshold_1.data, form.threshold_2.data, form.threshold_3.data = thresholds
        return form

    @classmethod
    def for_indicator(
        cls, indicator: AlignmentIndicator, principles: list[GuidingPrinciple], markers: list[Marker]
    ) -> "AlignmentIndicatorForm":
        """The posted form, or else the indicator with its thresholds written plainly."""
        form = cls(obj=indicator, principles=principles, markers=markers)
        if not form.is_submitted():
            form.kind.data = indicator.kind.value
            form.marker_id.data = indicator.marker_id or 0
            for field, value in zip(
                (form.threshold_1, form.threshold_2, form.threshold_3), indicator.thresholds, strict=True
            ):
                field.data = Decimal(plain(value))
        return form

    def alignment_input(self) -> AlignmentInput:
        return AlignmentInput(
            principle_id=self.principle_id.data or None,
            code=self.code.data or "",
            name=self.name.data or "",
            kind=self.kind.data,
            thresholds=(self.threshold_1.data, self.threshold_2.data, self.threshold_3.data),
            measurement=self.measurement.data or "",
            marker_id=self.marker_id.data or None,
        )


class MarkerMinimumRow(Form):
    marker_id = HiddenField()
    minimum = IntegerField("Minimum score", validators=[InputRequired(), NumberRange(min=0, max=3)])

    def validate_marker_id(self, field: HiddenField) -> None:
        if not str(field.data or "").isdigit():
            raise ValidationError("Unknown marker.")


class MarkerMinimumsForm(FlaskForm):
    minimums = FieldList(FormField(MarkerMinimumRow))

    @classmethod
    def for_markers(cls, markers: list[Marker]) -> "MarkerMinimumsForm":
        return cls(data={"minimums": [{"marker_id": m.id, "minimum": m.minimum_score} for m in markers]})

    def minimums_by_marker(self) -> dict[int, int | None]:
        """marker id → minimum score, as set_marker_minimums() takes them."""
        return {int(row.marker_id.data): row.minimum.data for row in self.minimums}
