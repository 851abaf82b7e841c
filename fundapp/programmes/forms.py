"""Programme forms. The money forms choose a participating organization by code (stable in links and tests,
unlike ids); the progress report and alignment forms grow one field per indicator or marker."""

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, Field, SelectField, StringField, TextAreaField
from wtforms.utils import unset_value
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from fundapp.core.forms import (
    POSITIVE,
    DecimalField,
    IntegerField,
    MoneyField,
    MultiCheckboxField,
    OnceForm,
    choices,
    coerce_id,
)
from fundapp.core.i18n import _, _l
from fundapp.core.templating import format_date
from fundapp.programmes.models import (
    BudgetCategory,
    ExpenditureKind,
    JointProgramme,
    ProgrammeIndicator,
    ProgrammeOutcome,
    ProgressReport,
)
from fundapp.programmes.reporting import CurrentAlignment, IndicatorInput, Period
from fundapp.reference.models import Marker
from fundapp.results.forms import DirectionField, IndicatorValueField
from fundapp.results.models import AlignmentIndicator, FundIndicator
from fundapp.results.rollup import DISAGGREGATIONS, UNIT_LABELS, plain


class OrganisationForm(OnceForm):
    """A money form about one of the programme's participating organizations (submitted once: OnceForm)."""

    organisation = SelectField(_l("Participating organization"), choices=[])

    def __init__(self, *args: Any, programme: JointProgramme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        lines = programme.document.budget_lines
        self.programme = programme
        self.organisation.choices = choices(
            (x.organisation.code, f"{x.organisation.code} {x.organisation.name}") for x in lines
        )
        self._ids = {line.organisation.code: line.organisation_id for line in lines}

    @property
    def organisation_id(self) -> int:
        return self._ids[self.organisation.data]


class BudgetForm(OrganisationForm):
    def prefill(self, code: str) -> None:
        """Show an organization's current budget (the programme page links here with its code)."""
        if code not in self._ids:
            return
        self.organisation.data = code
        for item in self.programme.budget_items:
            if item.organisation_id == self._ids[code]:
                self[item.category.value].data = item.amount

    def amounts(self) -> dict[str, Decimal | None]:
        return {c.value: self[c.value].data for c in BudgetCategory}


for _category in BudgetCategory:
    setattr(
        BudgetForm,
        _category.value,
        MoneyField(_category.label, validators=[Optional()], default=None),
    )


class TrancheForm(OrganisationForm):
    planned_on = DateField(_l("Planned date"), validators=[InputRequired()])
    amount = MoneyField(_l("Amount (US$)"), validators=[InputRequired(), POSITIVE])
    needs_report_approved = BooleanField(_l("Condition: the previous progress report is approved"))
    min_spent_percent = DecimalField(
        _l("Condition: at least this %(percent)s of funds received is spent", percent="%"),
        places=2,
        validators=[Optional(), NumberRange(min=0, max=100)],
        description=_l("Leave empty for no spending condition; 70 is usual for a second tranche."),
    )


class ReleaseForm(OnceForm):
    released_on = DateField(_l("Transfer date"), validators=[InputRequired()])
    justification = TextAreaField(
        _l("Justification (chair, for a blocked tranche)"), validators=[Optional(), Length(max=2000)]
    )


class ExpenditureForm(OrganisationForm):
    year = IntegerField(_l("Year"), validators=[InputRequired()])
    kind = SelectField(
        _l("Kind"),
        choices=choices(
            [
                (ExpenditureKind.interim.value, _l("Interim: an amount spent")),
                (ExpenditureKind.final.value, _l("Certified final: the year's total")),
            ]
        ),
    )
    amount = MoneyField(_l("Amount (US$)"), validators=[InputRequired()])
    reported_on = DateField(_l("Reported on"), validators=[InputRequired()])


class RefundForm(OrganisationForm):
    amount = MoneyField(_l("Amount (US$)"), validators=[InputRequired(), POSITIVE])
    refunded_on = DateField(_l("Refunded on"), validators=[InputRequired()])


class CloseOperationallyForm(FlaskForm):
    report_on = DateField(_l("Final narrative report received on"), validators=[InputRequired()])
    summary = TextAreaField(_l("Summary of the final narrative report"), validators=[InputRequired(), Length(max=4000)])


class CloseFinanciallyForm(OnceForm):
    pass


# Results framework ----------------------------------------------------------------------------------


def _outcome_choices(outcomes: Sequence[ProgrammeOutcome]) -> list:
    return choices((o.id, f"{o.code} {o.statement[:80]}") for o in outcomes)


class OutcomeForm(FlaskForm):
    code = StringField(
        _l("Code"), validators=[InputRequired(), Length(max=20)], description=_l("e.g. %(example)s", example="1")
    )
    statement = TextAreaField(_l("Outcome statement"), validators=[InputRequired(), Length(max=600)])


class OutputForm(FlaskForm):
    outcome_id = SelectField(_l("Outcome"), coerce=coerce_id, choices=[])
    code = StringField(
        _l("Code"), validators=[InputRequired(), Length(max=20)], description=_l("e.g. %(example)s", example="1.1")
    )
    statement = TextAreaField(_l("Output statement"), validators=[InputRequired(), Length(max=600)])

    def __init__(self, *args: Any, outcomes: Sequence[ProgrammeOutcome], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.outcome_id.choices = _outcome_choices(outcomes)


class IndicatorForm(FlaskForm):
    outcome_id = SelectField(_l("Outcome"), coerce=coerce_id, choices=[])
    output_id = SelectField(_l("Output (optional)"), coerce=coerce_id, choices=[])
    code = StringField(
        _l("Code"), validators=[InputRequired(), Length(max=20)], description=_l("e.g. %(example)s", example="1.1.a")
    )
    name = TextAreaField(_l("Indicator"), validators=[InputRequired(), Length(max=600)])
    unit = SelectField(_l("Unit"), choices=choices((u.value, label) for u, label in UNIT_LABELS.items()))
    direction = DirectionField()
    baseline_value = IndicatorValueField(
        _l("Baseline value"),
        validators=[InputRequired()],
        description=_l("Numbers are whole; amounts US$ with cents; percentages 0–100; yes / no: 1 for yes, 0 for no."),
    )
    baseline_year = IntegerField(_l("Baseline year"), validators=[InputRequired()])
    target_value = IndicatorValueField(
        _l("Target"), validators=[InputRequired()], description=_l("The same as the baseline to keep a level.")
    )
    disaggregations = MultiCheckboxField(
        _l("Disaggregated by"),
        choices=choices(
            [("sex", _l("Sex")), ("age_group", _l("Age group")), ("migratory_status", _l("Migratory status"))]
        ),
    )
    fund_indicator_id = SelectField(
        _l("Contributes to fund indicator"),
        coerce=coerce_id,
        choices=[],
        description=_l("Linked indicators roll up into the fund's results framework; same unit required."),
    )

    def __init__(
        self,
        *args: Any,
        outcomes: Sequence[ProgrammeOutcome],
        fund_indicators: Sequence[FundIndicator],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.outcome_id.choices = _outcome_choices(outcomes)
        self.output_id.choices = choices(
            [(0, _("— the outcome itself —"))]
            + [(o.id, f"{o.code} {o.statement[:80]}") for oc in outcomes for o in oc.outputs]
        )
        self.fund_indicator_id.choices = choices(
            [(0, _("— not linked —"))] + [(f.id, f"{f.code} ({f.unit.label}) {f.name[:70]}") for f in fund_indicators]
        )

    def indicator_input(self) -> IndicatorInput:
        return IndicatorInput(
            outcome_id=self.outcome_id.data,
            output_id=self.output_id.data or None,
            code=self.code.data,
            name=self.name.data,
            unit=self.unit.data,
            baseline_value=self.baseline_value.data,
            baseline_year=self.baseline_year.data,
            target_value=self.target_value.data,
            fund_indicator_id=self.fund_indicator_id.data or None,
            disaggregations=self.disaggregations.data or [],
            direction=self.direction.data,
        )


# Progress reports -----------------------------------------------------------------------------------


class StartReportForm(FlaskForm):
    period = SelectField(_l("Period"), choices=[])

    def __init__(self, *args: Any, periods: Sequence[Period], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.period.choices = choices(
            (p.period, _("%(period)s, due %(date)s", period=p.label, date=format_date(p.due_on))) for p in periods
        )


class BreakdownField(Field):
    """An indicator's breakdown by one dimension, {category: text}, read from the inputs named
    `<field name>-<category>`: the page draws one input per category, and the breakdown's errors sit here."""

    def __init__(self, label: str | None = None, validators: Any = None, categories: Sequence[str] = (), **kwargs: Any):
        super().__init__(label, validators, **kwargs)
        self.categories = tuple(categories)

    def process(self, formdata: Any, data: Any = unset_value, extra_filters: Any = None) -> None:
        self.process_errors = []
        self.object_data = data
        if formdata is not None:
            self.data = {c: formdata.get(f"{self.name}-{c}", "") for c in self.categories}
        else:
            self.data = dict(data) if isinstance(data, Mapping) else {}


class ReportForm(FlaskForm):
    """The narrative and challenges, and per indicator of the framework its actual (`actual-<id>`) and each
    breakdown (`actual-<id>-<dimension>`): the names the service's validation errors use."""

    narrative = TextAreaField(_l("Narrative: progress in the period"), validators=[Length(max=20000)])
    challenges = TextAreaField(_l("Challenges and how they are addressed"), validators=[Length(max=20000)])
    indicators: Sequence[ProgrammeIndicator] = ()

    @classmethod
    def for_report(
        cls, report: ProgressReport, outcomes: Sequence[ProgrammeOutcome], saved: Mapping[int, tuple[Decimal, dict]]
    ) -> "ReportForm":
        """The form for the report's framework, showing what was saved until something is posted."""

        class _ReportForm(cls):  # type: ignore[valid-type,misc]  # one field per indicator: a class per framework
            indicators = tuple(i for outcome in outcomes for i in outcome.indicators)

        data: dict[str, Any] = {"narrative": report.narrative, "challenges": report.challenges}
        for indicator in _ReportForm.indicators:
            key = f"actual-{indicator.id}"
            actual, breakdown = saved.get(indicator.id, (None, {}))
            setattr(_ReportForm, key, StringField(_l("Actual")))
            data[key] = "" if actual is None else plain(Decimal(actual))
            for dimension in indicator.disaggregations:
                setattr(_ReportForm, f"{key}-{dimension}", BreakdownField(categories=DISAGGREGATIONS[dimension]))
                data[f"{key}-{dimension}"] = breakdown.get(dimension, {})
        form = _ReportForm()
        if not form.is_submitted():
            form.process(data=data)
        return form

    @property
    def has_value_errors(self) -> bool:
        return any(f.errors for name, f in self._fields.items() if name.startswith("actual-"))

    def values(self) -> dict[int, tuple[str, dict[str, dict[str, str]]]]:
        """indicator id → (actual, {dimension: {category: value}}), as the service takes them."""
        return {
            i.id: (
                self[f"actual-{i.id}"].data or "",
                {dim: self[f"actual-{i.id}-{dim}"].data for dim in i.disaggregations},
            )
            for i in self.indicators
        }


class ReviewForm(FlaskForm):
    comment = TextAreaField(_l("Comments to the programme's focal points"), validators=[Length(max=4000)])


# Alignment ------------------------------------------------------------------------------------------


class AlignmentForm(FlaskForm):
    """A score per marker (`marker-<code>`) and a value per alignment indicator (`value-<code>`)."""

    marker_codes: Sequence[str] = ()
    indicator_codes: Sequence[str] = ()

    @classmethod
    def for_programme(
        cls,
        markers: Sequence[Marker],
        indicators: Sequence[AlignmentIndicator],
        current: CurrentAlignment | None,
        self_assessment: Mapping[str, int],
    ) -> "AlignmentForm":
        """Until something is posted: the latest assessment, else the applicant's self-assessment."""

        class _AlignmentForm(cls):  # type: ignore[valid-type,misc]  # one field per marker and indicator
            marker_codes = tuple(m.code for m in markers)
            indicator_codes = tuple(i.code for i in indicators)

        data: dict[str, Any] = {}
        for marker in markers:
            setattr(_AlignmentForm, f"marker-{marker.code}", StringField(marker.name))
            scores = current.marker_scores if current else self_assessment
            data[f"marker-{marker.code}"] = scores.get(marker.code)
        for indicator in indicators:
            setattr(_AlignmentForm, f"value-{indicator.code}", StringField(indicator.name))
            data[f"value-{indicator.code}"] = current.values.get(indicator.code) if current else ""
        form = _AlignmentForm()
        if not form.is_submitted():
            form.process(data=data)
        return form

    @property
    def has_value_errors(self) -> bool:
        return any(f.errors for name, f in self._fields.items() if name.startswith(("marker-", "value-")))

    def marker_scores(self) -> dict[str, str]:
        return {code: self[f"marker-{code}"].data or "" for code in self.marker_codes}

    def indicator_values(self) -> dict[str, str]:
        return {code: self[f"value-{code}"].data or "" for code in self.indicator_codes}
