from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, EqualTo, InputRequired, Length

from ..departements import choices as departement_choices
from ..forms import BaseForm
from ..models import PROFILES

PASSWORD_RULE = Length(
    min=12, max=128, message="Le mot de passe doit compter entre 12 et 128 caractères."
)


def _required(message="Ce champ est obligatoire."):
    return InputRequired(message=message)


def _text(label, max_length, description=""):
    """A required line of text (BaseForm trims it: spaces alone do not fill it)."""
    return StringField(label, [_required(), Length(max=max_length)], description=description)


def _email_field():
    return EmailField(
        "Adresse électronique",
        [
            _required(),
            Length(max=254),
            Email(
                message="Saisissez une adresse électronique valide, par exemple nom@exemple.fr.",
                check_deliverability=False,
            ),
        ],
        description="Format attendu : nom@domaine.fr",
    )


class ProfileForm(BaseForm):
    first_name = _text("Prénom", 100)
    last_name = _text("Nom", 100)
    profile = SelectField(
        "Profil",
        [_required()],
        # A required select starts empty: nobody is given a profile they did not choose.
        choices=[
            SelectChoice("", "Choisir un profil"),
            *(SelectChoice(value, label) for value, label in PROFILES.items()),
        ],
    )
    structure = _text(
        "Structure employeuse",
        200,
        "Par exemple : médiathèque de Pontivy, centre social, association…",
    )
    commune = _text("Commune d'exercice", 100)
    departement = SelectField(
        "Département",
        [_required()],
        choices=[SelectChoice("", "Choisir un département"), *departement_choices()],
    )


class RegisterForm(ProfileForm):
    email = _email_field()
    password = PasswordField(
        "Mot de passe", [_required(), PASSWORD_RULE], description="12 caractères au minimum."
    )
    confirm = PasswordField(
        "Confirmation du mot de passe",
        [
            _required(),
            EqualTo("password", message="Les deux mots de passe ne sont pas identiques."),
        ],
    )


class LoginForm(BaseForm):
    email = _email_field()
    password = PasswordField("Mot de passe", [_required(), Length(max=128)])


class ForgotPasswordForm(BaseForm):
    email = _email_field()


class ResetPasswordForm(BaseForm):
    password = PasswordField(
        "Nouveau mot de passe",
        [_required(), PASSWORD_RULE],
        description="12 caractères au minimum.",
    )
    confirm = PasswordField(
        "Confirmation",
        [
            _required(),
            EqualTo("password", message="Les deux mots de passe ne sont pas identiques."),
        ],
    )


class ChangePasswordForm(ResetPasswordForm):
    current = PasswordField("Mot de passe actuel", [_required(), Length(max=128)])


class DeleteAccountForm(BaseForm):
    password = PasswordField(
        "Mot de passe",
        [_required(), Length(max=128)],
        description="Pour confirmer qu'il s'agit bien de vous.",
    )
    confirm = BooleanField(
        "Je comprends que mon compte et toutes mes données seront définitivement supprimés.",
        [_required("Cochez la case pour confirmer la suppression.")],
    )
