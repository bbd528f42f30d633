from wtforms import PasswordField
from wtforms.validators import InputRequired, Length

from lms.accounts.forms import ProfileForm
from lms.forms import BaseForm


class CompleteProfileForm(ProfileForm):
    """The profile, less the names ProConnect gave."""

    first_name = None
    last_name = None


class LinkForm(BaseForm):
    password = PasswordField(
        "Mot de passe de ce compte",
        [InputRequired(message="Ce champ est obligatoire."), Length(max=128)],
    )
