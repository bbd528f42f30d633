import re

from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    Email,
    InputRequired,
    Length,
    Optional,
    StopValidation,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from lms.concurrency import new_submission
from lms.departements import choices as departement_choices
from lms.forms import BaseForm

from .models import AUDIENCES, CONTACT_MODES, FORMATS

PHONE = re.compile(r"^\+?[0-9 .()-]{10,20}$")
# C0, DEL, C1 and the Unicode line and paragraph separators: none can be typed in a one-line
# input, and a line break in an e-mail header makes the e-mail library raise.
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
ONE_LINE = (
    "Ce champ tient sur une seule ligne : retirez les retours à la ligne et caractères de contrôle."
)


def one_line(form, field):
    # Stop here: the other validators' messages would only add noise to this one.
    if field.data and CONTROL.search(field.data):
        raise StopValidation(ONE_LINE)


def _choices(mapping: dict) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in mapping.items()]


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ListingForm(BaseForm):
    display_name = StringField(
        "Nom affiché",
        [InputRequired("Indiquez le nom à afficher."), one_line, Length(max=80)],
        description="Par exemple « Camille M. » : votre nom complet n'est pas obligatoire.",
    )
    structure = StringField(
        "Structure", [InputRequired("Indiquez votre structure."), one_line, Length(max=200)]
    )
    commune = StringField(
        "Commune",
        [InputRequired("Indiquez la commune où vous animez."), one_line, Length(max=100)],
    )
    departement = SelectField(
        "Département",
        [InputRequired("Choisissez un département.")],
        choices=[SelectChoice("", "Choisir un département"), *departement_choices()],
    )
    formats = CheckboxesField("Formats proposés", choices=_choices(FORMATS))
    audiences = CheckboxesField("Publics", choices=_choices(AUDIENCES))
    presentation = TextAreaField(
        "Présentation",
        [Optional(), Length(max=600)],
        description="Texte simple, 600 caractères au plus.",
    )
    contact_mode = RadioField(
        "Comment vous contacter", choices=_choices(CONTACT_MODES), default="relais"
    )
    public_email = EmailField(
        "Adresse électronique publique",
        [
            Optional(),
            Length(max=254),
            Email("Saisissez une adresse électronique valide.", check_deliverability=False),
        ],
    )
    public_phone = StringField("Téléphone public", [Optional(), Length(max=20)])
    consent = BooleanField(
        "J'accepte que ces informations soient publiées dans l'annuaire public et en données ouvertes.",
        [InputRequired("Votre accord est nécessaire pour publier la fiche.")],
    )

    def validate_formats(self, field):
        if not field.data:
            raise ValidationError("Choisissez au moins un format.")

    def validate_audiences(self, field):
        if not field.data:
            raise ValidationError("Choisissez au moins un public.")

    def validate_public_phone(self, field):
        if field.data and not PHONE.match(field.data):
            raise ValidationError(
                "Saisissez un numéro de téléphone valide, par exemple 02 97 00 00 00."
            )

    def validate(self, extra_validators=None) -> bool:
        # A public address or number is needed only for the contact mode that shows it.
        valid = super().validate(extra_validators)
        needed = {
            "email": (
                self.public_email,
                "Indiquez l'adresse à afficher, ou choisissez le formulaire de contact.",
            ),
            "telephone": (
                self.public_phone,
                "Indiquez le numéro à afficher, ou choisissez le formulaire de contact.",
            ),
        }
        if self.contact_mode.data in needed:
            field, message = needed[self.contact_mode.data]
            if not field.data:
                field.errors = [*field.errors, message]
                valid = False
        return valid


class ContactForm(BaseForm):
    name = StringField(
        "Votre nom", [InputRequired("Indiquez votre nom."), one_line, Length(max=100)]
    )
    email = EmailField(
        "Votre adresse électronique",
        [
            InputRequired("Indiquez votre adresse."),
            one_line,
            Length(max=254),
            Email("Saisissez une adresse électronique valide.", check_deliverability=False),
        ],
        description="L'animateur·rice vous répondra à cette adresse.",
    )
    message = TextAreaField(
        "Votre message", [InputRequired("Écrivez votre message."), Length(max=2000)]
    )
    # A honeypot: hidden from people, filled by robots.
    website = StringField("Ne pas remplir ce champ", [Optional()])
    # The page's one-time token: that page sent twice mails the animateur once.
    envoi = HiddenField(default=new_submission)

    def forged(self) -> bool:
        """A control character in a one-line field: no browser sends it from this form."""
        return any(ONE_LINE in errors for errors in self.errors.values())
