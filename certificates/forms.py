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
        [InputRequired("Saisissez le code."), Length(max=64)],
        description="Le code figure sous le QR code de l'attestation.",
    )
