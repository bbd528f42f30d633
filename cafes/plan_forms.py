"""The form of « Préparer mon premier café »: a draft, so only its title is required; what is
typed is checked like the announcement's (one line, bounded lengths, choices the page offers)."""

from wtforms import (
    DateField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from annuaire.forms import CheckboxesField, one_line
from annuaire.models import AUDIENCES
from lms.departements import choices as departement_choices
from lms.forms import BaseForm
from lms.params import date_in_range, date_range_message

from .forms import (
    _choices,
    _options,
    _values,
    add_error,
    animation_field,
    capacity_field,
    format_field,
)
from .plans import MATERIAL, QUESTIONS

STEP_ROWS = 8  # the standard sequence's five steps and three rows left free
MAX_OWN_QUESTIONS = 5


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class StepForm(Form):
    """One step of the sequence: a blank row is no step."""

    intitule = StringField("Intitulé", [Optional(), one_line, Length(max=120)], filters=[_strip])
    minutes = IntegerField(
        "Durée (minutes)",
        [Optional(), NumberRange(1, 180, "Une durée entre 1 et 180 minutes.")],
    )

    def validate(self, extra_validators=None) -> bool:
        # Optional() ends each field's own checks when it is empty: the pair is checked here.
        valid = super().validate(extra_validators)
        if self.intitule.data and self.minutes.data is None and not self.minutes.errors:
            add_error(self.minutes, "Indiquez la durée de ce temps, en minutes.")
            valid = False
        if self.minutes.data is not None and not self.intitule.data:
            add_error(self.intitule, "Donnez un intitulé à ce temps, ou videz aussi sa durée.")
            valid = False
        return valid


class PlanForm(BaseForm):
    title = StringField(
        "Nom du café",
        [InputRequired("Donnez un nom à votre café."), one_line, Length(max=120)],
        description="Par exemple « L'IA et nous, on en parle ? ». 120 caractères au plus.",
    )
    audience = SelectField(
        "Public",
        [Optional()],
        choices=[SelectChoice("", "Pas encore choisi"), *_choices(AUDIENCES)],
    )
    audience_note = StringField(
        "Qui viendra ?",
        [Optional(), one_line, Length(max=200)],
        description="Facultatif. Par exemple « les habitués de l'atelier informatique du mardi ».",
    )
    structure = StringField(
        "Lieu (structure qui accueille)", [Optional(), one_line, Length(max=200)]
    )
    commune = StringField("Commune", [Optional(), one_line, Length(max=100)])
    departement = SelectField(
        "Département",
        [Optional()],
        choices=[SelectChoice("", "Pas encore choisi"), *departement_choices()],
    )
    day = DateField("Date", [Optional()], description="Au format jj/mm/aaaa. Facultative.")
    starts = TimeField("Heure de début", [Optional()], description="Facultative.")
    format = format_field()
    animation = animation_field()
    capacity = capacity_field(
        15, "La Mallette IA recommande de ne pas dépasser une vingtaine de personnes."
    )
    steps = FieldList(FormField(StepForm), min_entries=STEP_ROWS, max_entries=STEP_ROWS)
    material = CheckboxesField("Matériel à préparer", choices=_choices(MATERIAL))
    suggested = CheckboxesField("Questions suggérées", choices=_choices(QUESTIONS))
    own_questions = TextAreaField(
        "Vos propres questions",
        [Optional(), Length(max=1000)],
        description=f"Une question par ligne, {MAX_OWN_QUESTIONS} au plus.",
    )

    def validate_day(self, field):
        if field.data and not date_in_range(field.data):
            raise ValidationError(date_range_message())

    def validate_steps(self, field):
        if not self.filled_steps():
            raise ValidationError("Gardez au moins un temps dans le déroulé.")
        if sum(step["minutes"] for step in self.filled_steps()) > 240:
            raise ValidationError("Le déroulé dépasse 4 heures : raccourcissez-le.")

    def validate_own_questions(self, field):
        lines = self.own_question_lines()
        if len(lines) > MAX_OWN_QUESTIONS:
            raise ValidationError(f"{MAX_OWN_QUESTIONS} questions à vous au plus.")
        if any(len(line) > 200 for line in lines):
            raise ValidationError("Une question tient en 200 caractères au plus.")

    def filled_steps(self) -> list[dict]:
        return [
            {"label": row.intitule.data, "minutes": row.minutes.data}
            for row in self.steps
            if row.intitule.data and row.minutes.data
        ]

    def own_question_lines(self) -> list[str]:
        return [
            line.strip() for line in (self.own_questions.data or "").splitlines() if line.strip()
        ]

    def chosen_questions(self) -> list[str]:
        return [QUESTIONS[key] for key in QUESTIONS if key in self.suggested.data] + (
            self.own_question_lines()
        )

    def forged(self) -> bool:
        """A choice no page offers: not a typing error but a forged request."""
        return any(
            not set(_values(field.data)) <= _options(field)
            for field in (self.audience, self.departement, self.format, self.animation,
                          self.material, self.suggested)
            if field.data
        )  # fmt: skip
