from flask_wtf.file import FileField, FileSize
from wtforms import StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from lms.forms import BaseForm


class ReasonForm(BaseForm):
    reason = TextAreaField(
        "Motif",
        [InputRequired("Le motif est obligatoire."), Length(max=500)],
        description="Il est conservé dans l'historique et visible par la personne.",
    )


class VerifyForm(BaseForm):
    class Meta:
        csrf = False  # a public GET form: nothing is changed

    code = StringField(
        "Code de l'attestation",
        [InputRequired("Saisissez le code."), Length(max=300, message="Ce code est trop long.")],
        description="Le code figure sous le QR code de l'attestation, par exemple "
        "K7Q9-M2XD-4HRT-8WCE-3PNA ; vous pouvez aussi coller le lien de vérification.",
    )


# A badge is a few kilobytes; more is not a badge, and is refused before it is read.
BADGE_MAX_BYTES = 20_000


class BadgeCheckForm(BaseForm):
    """A badge to check: pasted, or its .jwt file chosen; the file wins when both are given."""

    token = TextAreaField(
        "Contenu du badge",
        [Length(max=BADGE_MAX_BYTES, message="Ce texte est trop long pour être un badge.")],
        description="Collez le texte du fichier .jwt, qui commence par « eyJ ».",
    )
    file = FileField(
        "Ou fichier du badge",
        [
            FileSize(
                BADGE_MAX_BYTES,
                message="Ce fichier est trop lourd pour être un badge (20 Ko au plus).",
            )
        ],
        description="Le fichier badge-animateur-cafe-ia.jwt téléchargé depuis « Mon statut ».",
    )

    def badge(self) -> str | None:
        """The badge's text, or None with an error on the form."""
        upload = self.file.data
        if upload and upload.filename:
            try:
                return upload.read(BADGE_MAX_BYTES + 1).decode("ascii").strip()
            except UnicodeDecodeError:
                self.file.errors = [
                    *self.file.errors,
                    "Ce fichier n'est pas un badge : il n'est pas fait de texte.",
                ]
                return None
        if self.token.data:
            return self.token.data
        self.token.errors = [
            *self.token.errors,
            "Collez le contenu du badge ou choisissez son fichier.",
        ]
        return None
