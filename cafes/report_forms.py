"""The forms of the report (compte rendu), the declaration of a café held without having been
announced, and the participants' feedback. Every text is hostile: bounded, stored as text."""

from datetime import date

from wtforms import BooleanField, IntegerField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from annuaire.forms import CheckboxesField, one_line
from lms.formatting import nombre
from lms.forms import BaseForm

from .feedback import MARKS, QUESTIONS
from .forms import CafeForm, _choices, add_error
from .models import ACTION_PATHS, BREAKDOWNS, BY_AGE, BY_AUDIENCE, THEMES

# A café is a small group (the kit says about twenty); a few draw a crowd, none a thousand.
MAX_PARTICIPANTS = 500
MAX_FREE = 3  # free themes, free action paths
FREE_LENGTH = 100


def _free_list(raw: str | None) -> list[str]:
    """« a ; b ; a » → ['a', 'b']: split on semicolons, trimmed, without repeats."""
    seen: list[str] = []
    for part in (raw or "").split(";"):
        part = part.strip()
        if part and part.casefold() not in {s.casefold() for s in seen}:
            seen.append(part)
    return seen


def _free_field(label: str, example: str) -> StringField:
    return StringField(
        label,
        [Optional(), one_line, Length(max=MAX_FREE * (FREE_LENGTH + 2))],
        description=f"Facultatif. {MAX_FREE} au plus, séparés par des points-virgules, par "
        f"exemple « {example} ».",
    )


class ReportForm(BaseForm):
    participants = IntegerField(
        "Nombre de participants",
        [
            InputRequired("Indiquez combien de personnes sont venues."),
            NumberRange(1, MAX_PARTICIPANTS, f"Entre 1 et {MAX_PARTICIPANTS} participants."),
        ],
        description="Sans compter les animateurs.",
    )
    themes = CheckboxesField("Thèmes abordés", choices=_choices(THEMES))
    free_themes = _free_field("Autres thèmes", "IA et santé ; hypertrucages")
    action_paths = CheckboxesField("Suites choisies", choices=_choices(ACTION_PATHS))
    free_action_paths = _free_field("Autres suites", "visite d'un fablab")
    synthesis = TextAreaField(
        "Synthèse",
        [Optional(), Length(max=3000)],
        description="Facultative. Ce qui s'est dit, en quelques lignes, sans nommer personne. "
        "3 000 caractères au plus.",
    )
    to_change = TextAreaField(
        "Ce que je changerais la prochaine fois",
        [Optional(), Length(max=2000)],
        description="Facultatif. Pour vous : cette réponse n'est jamais partagée.",
    )
    share_synthesis = BooleanField(
        "J'accepte que la synthèse soit transmise à l'équipe nationale du programme."
    )

    def free_themes_list(self) -> list[str]:
        return _free_list(self.free_themes.data)

    def free_action_paths_list(self) -> list[str]:
        return _free_list(self.free_action_paths.data)

    def counts(self) -> list[tuple[str, str, int]]:
        """The breakdown entered: (dimension, category, count), zeros left out."""
        return [
            (dimension, category, field.data)
            for dimension, category, field in self.breakdown_fields()
            if field.data
        ]

    def breakdown_fields(self, dimension: str | None = None):
        for name, (dim, category) in BREAKDOWN.items():
            if dimension in (None, dim):
                yield dim, category, self[name]

    def validate_free_themes(self, field):
        _check_free(self.free_themes_list())

    def validate_free_action_paths(self, field):
        _check_free(self.free_action_paths_list())

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        participants = self.participants.data
        if not self.participants.errors and participants:
            for dimension, name in ((BY_AGE, "âge"), (BY_AUDIENCE, "public")):
                fields = [f for _, _, f in self.breakdown_fields(dimension)]
                total = sum(f.data or 0 for f in fields if not f.errors)
                if total > participants:
                    add_error(
                        fields[0],
                        f"La répartition par {name} compte {nombre(total)} personnes, plus que "
                        f"les {nombre(participants)} participants.",
                    )
                    valid = False
        return valid

    def breakdown_errors(self, dimension: str) -> list[str]:
        return [e for _, _, f in self.breakdown_fields(dimension) for e in f.errors]

    def forged(self) -> bool:
        """A choice no page offers: a forged request, not a mistake."""
        return not (
            set(self.themes.data or []) <= set(THEMES)
            and set(self.action_paths.data or []) <= set(ACTION_PATHS)
        )


def _check_free(items: list[str]) -> None:
    if len(items) > MAX_FREE:
        raise ValidationError(f"{MAX_FREE} au plus : regroupez-les.")
    if any(len(item) > FREE_LENGTH for item in items):
        raise ValidationError(f"Chacun tient en {FREE_LENGTH} caractères au plus.")


BREAKDOWN: dict[str, tuple[str, str]] = {}
for _dimension, _names in BREAKDOWNS.items():
    for _category, _label in _names.items():
        _name = f"{_dimension}_{_category}"
        BREAKDOWN[_name] = (_dimension, _category)
        setattr(
            ReportForm,
            _name,
            IntegerField(
                _label,
                [
                    Optional(),
                    NumberRange(0, MAX_PARTICIPANTS, f"Entre 0 et {MAX_PARTICIPANTS} personnes."),
                ],
            ),
        )


class DeclaredCafeForm(CafeForm):
    """A café held without having been announced: what the agenda's form asks, but past, with
    neither places nor a link nor a presentation (it never is in the agenda)."""

    capacity = None
    online_link = None
    description = None
    co_animateurs = None

    def validate_day(self, field):
        if field.data and field.data > date.today():
            raise ValidationError(
                "Un café à venir s'annonce dans l'agenda : ici, seulement un café déjà tenu."
            )
        super().validate_day(field)

    def forged(self) -> bool:
        from annuaire.forms import ONE_LINE

        from .forms import _options

        if any(ONE_LINE in errors for errors in self.errors.values()):
            return True
        fields = (self.format, self.audience, self.departement, self.animation)
        return any(str(f.data) not in _options(f) for f in fields if f.data)


class FeedbackAnswerForm(BaseForm):
    comment = StringField(
        "Un mot pour l'animateur",
        [Optional(), one_line, Length(max=300)],
        description="Facultatif, 300 caractères au plus. Ne vous nommez pas : l'avis est anonyme.",
    )


for _column, _question in QUESTIONS.items():
    setattr(
        FeedbackAnswerForm,
        _column,
        RadioField(
            _question,
            [InputRequired("Choisissez une note de 1 à 5.")],
            choices=[SelectChoice(str(m), str(m)) for m in MARKS],
            description="De 1 (pas du tout d'accord) à 5 (tout à fait d'accord).",
        ),
    )


def marks_of(form: FeedbackAnswerForm) -> dict[str, int]:
    return {column: int(form[column].data) for column in QUESTIONS}
