"""The référents' forms: granting and withdrawing a territory, writing to its animateurs."""

from wtforms import EmailField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import Email, InputRequired, Length, ValidationError

from annuaire.forms import one_line
from lms.concurrency import new_submission
from lms.forms import BaseForm

from . import territories

REASON = [InputRequired("Indiquez le motif : il est envoyé à la personne."), Length(max=500)]


class GrantForm(BaseForm):
    chosen = None  # the Territory, once validated

    email = EmailField(
        "Adresse électronique du compte",
        [InputRequired("Indiquez l'adresse du compte."), Email("Cette adresse n'est pas valide.")],
    )
    territory = SelectField("Territoire", choices=territories.choices, validate_choice=False)
    reason = TextAreaField("Motif", REASON)

    def validate_territory(self, field):
        if not field.data:
            raise ValidationError("Choisissez un territoire.")
        try:
            self.chosen = territories.parse(field.data)
        except ValueError as error:
            raise ValidationError(str(error)) from error


class WithdrawForm(BaseForm):
    reason = TextAreaField("Motif du retrait", REASON)


class MessageForm(BaseForm):
    envoi = HiddenField(default=new_submission)  # the page's one-time token
    subject = StringField(
        "Objet", [InputRequired("Indiquez l'objet du message."), one_line, Length(max=150)]
    )
    body = TextAreaField("Message", [InputRequired("Écrivez votre message."), Length(max=5000)])
