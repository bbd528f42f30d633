"""The forms of the cafés: every text field is hostile (one line where one is typed, bounded
lengths, stored as text and shown escaped: no HTML ever reaches a page)."""

from datetime import date
from urllib.parse import urlsplit

from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, InputRequired, Length, NumberRange, Optional, ValidationError

from annuaire.forms import PHONE, CheckboxesField, one_line
from annuaire.models import AUDIENCES
from lms.concurrency import new_submission
from lms.departements import choices as departement_choices
from lms.forms import BaseForm
from lms.params import date_in_range, date_range_message

from .models import ANIMATIONS, FORMATS
from .services import MAX_CAPACITY


def add_error(field, message: str) -> None:
    """One more error on a field, from a check across fields (run after the field's own)."""
    field.errors = [*field.errors, message]


def _choices(mapping: dict) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in mapping.items()]


# The fields a plan and an announcement share: the same choices and bounds in both.
def format_field(**options) -> RadioField:
    return RadioField(
        "Format", [InputRequired("Choisissez un format.")], choices=_choices(FORMATS), **options
    )


def animation_field(**options) -> RadioField:
    return RadioField(
        "Format d'animation",
        [InputRequired("Choisissez un format d'animation.")],
        choices=_choices(ANIMATIONS),
        **options,
    )


def capacity_field(default: int, description: str) -> IntegerField:
    return IntegerField(
        "Nombre de places",
        [
            InputRequired("Indiquez le nombre de places."),
            NumberRange(1, MAX_CAPACITY, f"Entre 1 et {MAX_CAPACITY} places."),
        ],
        default=default,
        description=description,
    )


class CafeForm(BaseForm):
    title = StringField(
        "Titre du café",
        [InputRequired("Donnez un titre au café."), one_line, Length(max=120)],
        description="Par exemple « L'IA au quotidien : on en parle ? ». 120 caractères au plus.",
    )
    day = DateField(
        "Date",
        [InputRequired("Indiquez la date du café.")],
        description="Au format jj/mm/aaaa.",
    )
    starts = TimeField("Heure de début", [InputRequired("Indiquez l'heure de début.")])
    ends = TimeField("Heure de fin", [InputRequired("Indiquez l'heure de fin.")])
    format = format_field(default="presentiel")
    structure = StringField(
        "Structure qui accueille",
        [InputRequired("Indiquez la structure qui accueille le café."), one_line, Length(max=200)],
    )
    address = StringField(
        "Adresse", [Optional(), one_line, Length(max=200)], description="Facultative."
    )
    commune = StringField(
        "Commune", [InputRequired("Indiquez la commune."), one_line, Length(max=100)]
    )
    departement = SelectField(
        "Département",
        [InputRequired("Choisissez un département.")],
        choices=[SelectChoice("", "Choisir un département"), *departement_choices()],
    )
    online_link = StringField(
        "Lien de connexion (en ligne ou hybride)",
        [Optional(), one_line, Length(max=500)],
        description="Adresse en https://. Seules les personnes inscrites le reçoivent.",
    )
    audience = SelectField(
        "Public",
        [InputRequired("Choisissez un public.")],
        choices=[SelectChoice("", "Choisir un public"), *_choices(AUDIENCES)],
    )
    animation = animation_field(default="recette")
    animation_other = StringField(
        "Nom de l'autre format",
        [Optional(), one_line, Length(max=100)],
        description="Seulement si vous avez choisi « Un autre format ».",
    )
    capacity = capacity_field(20, "Le kit recommande une vingtaine de personnes au plus.")
    description = TextAreaField(
        "Présentation",
        [Optional(), Length(max=1000)],
        description="Texte simple, 1 000 caractères au plus. La participation est toujours "
        "gratuite : la page le dit.",
    )
    co_animateurs = CheckboxesField(
        "Co-animateurs",
        description="Choisissez parmi les fiches publiques de l'annuaire.",
        choices=[],
    )
    # The page's one-time token: that page sent twice (a double click) announces one café.
    envoi = HiddenField(default=new_submission)

    def __init__(self, *args, seats_taken: int = 0, announcing: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.seats_taken, self.announcing = seats_taken, announcing

    def validate_day(self, field):
        if field.data and not date_in_range(field.data):
            raise ValidationError(date_range_message())
        if field.data and self.announcing and field.data < date.today():
            raise ValidationError("Un café s'annonce pour aujourd'hui ou plus tard.")

    def validate_ends(self, field):
        if field.data and self.starts.data and field.data <= self.starts.data:
            raise ValidationError("L'heure de fin doit suivre l'heure de début.")

    def validate_online_link(self, field):
        if field.data:
            parts = urlsplit(field.data)
            if parts.scheme != "https" or not parts.netloc:
                raise ValidationError("Saisissez une adresse qui commence par https://.")

    def validate(self, extra_validators=None) -> bool:
        # Optional() ends the field's own checks when it is empty: this one is the form's.
        valid = super().validate(extra_validators)
        if self.animation.data == "autre" and not self.animation_other.data:
            self.animation_other.errors = [
                *self.animation_other.errors,
                "Nommez le format d'animation que vous utilisez.",
            ]
            valid = False
        return valid

    def validate_capacity(self, field):
        if field.data is not None and field.data < self.seats_taken:
            raise ValidationError(
                f"{self.seats_taken} personnes sont déjà inscrites : "
                "gardez au moins autant de places."
            )

    def forged(self) -> bool:
        """A control character in a one-line field, or a choice no page offers."""
        from annuaire.forms import ONE_LINE

        if any(ONE_LINE in errors for errors in self.errors.values()):
            return True
        return any(
            not set(_values(field.data)) <= _options(field)
            for field in (self.format, self.audience, self.departement, self.animation,
                          self.co_animateurs)
            if field.data
        )  # fmt: skip


def _values(data) -> list[str]:
    return [str(v) for v in data] if isinstance(data, list) else [str(data)]


def _options(field) -> set[str]:
    # Choices are SelectChoice (value, label…) or (value, label) pairs.
    return {str(c.value if isinstance(c, SelectChoice) else c[0]) for c in field.choices}


class RegistrationForm(BaseForm):
    name = StringField(
        "Votre nom ou prénom",
        [InputRequired("Indiquez votre nom ou votre prénom."), one_line, Length(max=100)],
    )
    email = EmailField(
        "Votre adresse électronique",
        [
            InputRequired("Indiquez votre adresse électronique."),
            one_line,
            Length(max=254),
            Email("Saisissez une adresse électronique valide.", check_deliverability=False),
        ],
        description="Pour la confirmation, le rappel la veille et le lien d'annulation.",
    )
    consent = BooleanField(
        "J'accepte que mon nom et mon adresse soient conservés pour ce café et transmis à "
        "son animateur·rice, puis effacés quelques semaines après.",
        [InputRequired("Votre accord est nécessaire pour vous inscrire.")],
    )
    website = StringField("Ne pas remplir ce champ", [Optional()])  # a honeypot for robots


class ParticipantForm(BaseForm):
    """A person registered by the animateur (by phone, at the desk): an e-mail or a number."""

    name = StringField(
        "Nom ou prénom",
        [InputRequired("Indiquez le nom de la personne."), one_line, Length(max=100)],
    )
    email = EmailField(
        "Adresse électronique",
        [
            Optional(),
            one_line,
            Length(max=254),
            Email("Saisissez une adresse électronique valide.", check_deliverability=False),
        ],
    )
    phone = StringField(
        "Téléphone",
        [Optional(), one_line, Length(max=20)],
        description="Par exemple 02 97 00 00 00.",
    )
    consent = BooleanField(
        "La personne accepte que ses coordonnées soient conservées pour ce café, puis effacées.",
        [InputRequired("L'accord de la personne est nécessaire.")],
    )

    def validate_phone(self, field):
        if field.data and not PHONE.match(field.data):
            raise ValidationError("Saisissez un numéro valide, par exemple 02 97 00 00 00.")

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not self.phone.data and not self.email.data:
            add_error(self.phone, "Indiquez une adresse électronique ou un numéro de téléphone.")
            valid = False
        return valid


class HideForm(BaseForm):
    reason = TextAreaField(
        "Motif",
        [InputRequired("Indiquez le motif : il est envoyé à l'animateur·rice."), Length(max=500)],
    )
