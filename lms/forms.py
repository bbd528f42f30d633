"""The base form of the platform: refuses text that arrived unreadable."""

from flask_wtf import FlaskForm

# Werkzeug decodes form bodies as UTF-8 and replaces invalid bytes with U+FFFD:
# such text, or control characters, never reaches the database.
FORBIDDEN_CHARACTERS = {"\ufffd", *(chr(c) for c in range(32) if chr(c) not in "\t\n\r")}


class BaseForm(FlaskForm):
    class Meta:
        locales = ["fr"]  # WTForms' own French messages (WTF_I18N_ENABLED is off: no Babel here)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for field in self:
            if isinstance(field.data, str) and FORBIDDEN_CHARACTERS.intersection(field.data):
                field.errors = [
                    *field.errors,
                    "Ce champ contient des caractères illisibles : "
                    "vérifiez l'encodage (UTF-8) et retapez le texte.",
                ]
                valid = False
        return valid
