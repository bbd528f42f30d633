from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import URL, DataRequired, Length

from lms.forms import BaseForm


class PlatformForm(BaseForm):
    name = StringField("Nom de la plateforme", validators=[DataRequired(), Length(max=120)])
    issuer = StringField(
        "Émetteur (issuer)", validators=[DataRequired(), URL(require_tld=False), Length(max=255)]
    )
    client_id = StringField("Identifiant client", validators=[DataRequired(), Length(max=255)])
    deployment_ids = TextAreaField(
        "Identifiants de déploiement (un par ligne)", validators=[DataRequired()]
    )
    auth_login_url = StringField(
        "URL d'authentification OIDC",
        validators=[DataRequired(), URL(require_tld=False), Length(max=500)],
    )
    token_url = StringField(
        "URL de jeton OAuth 2", validators=[DataRequired(), URL(require_tld=False), Length(max=500)]
    )
    jwks_url = StringField(
        "URL du jeu de clés (JWKS)",
        validators=[DataRequired(), URL(require_tld=False), Length(max=500)],
    )


class ConfirmForm(BaseForm):
    """A button alone (register, import, delete): the CSRF token is the point."""


class DeepLinkForm(BaseForm):
    target = HiddenField()
