"""The base form of the platform: refuses text that arrived unreadable, or blank."""

from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import PasswordField, StringField, widgets
from wtforms.validators import InputRequired

# Werkzeug decodes form bodies as UTF-8 and replaces invalid bytes with U+FFFD:
# such text, or control characters, never reaches the database.
FORBIDDEN_CHARACTERS = {"\ufffd", *(chr(c) for c in range(32) if chr(c) not in "\t\n\r")}


def _strip(value):
    # str.strip() knows every Unicode space: a non-breaking space or a newline is no answer.
    return value.strip() if isinstance(value, str) else value


class QuickSelect(widgets.Select):
    """WTForms' <select>, its plain options written directly, as WTForms writes them: it builds
    each through Markup.format, 80 µs an option, and a national filter lists every cohort."""

    @classmethod
    def render_option(cls, choice, **kwargs):
        if kwargs or choice.render_kw or isinstance(choice.value, bool):  # WTForms' own cases
            return super().render_option(choice, **kwargs)
        chosen = "selected " if choice.selected else ""
        label = escape(choice.label or choice.value)
        return Markup(f'<option {chosen}value="{escape(choice.value)}">{label}</option>')


class BaseForm(FlaskForm):
    class Meta:
        locales = ["fr"]  # WTForms' own French messages (WTF_I18N_ENABLED is off: no Babel here)

        def bind_field(self, form, unbound_field, options):
            """Text is stored trimmed; a password is kept exactly as typed."""
            field_class = unbound_field.field_class
            if issubclass(field_class, StringField) and not issubclass(field_class, PasswordField):
                options["filters"] = (*options.get("filters", ()), _strip)
            widget = options.get("widget", field_class.widget)
            if type(widget) is widgets.Select:  # every select of the platform, not radios
                options["widget"] = QuickSelect(multiple=widget.multiple)
            return unbound_field.bind(form=form, **options)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for field in self:
            message = _blank_required(field)
            if message or (
                isinstance(field.data, str) and FORBIDDEN_CHARACTERS.intersection(field.data)
            ):
                field.errors = [
                    *field.errors,
                    message
                    or "Ce champ contient des caractères illisibles : "
                    "vérifiez l'encodage (UTF-8) et retapez le texte.",
                ]
                valid = False
        return valid


def _blank_required(field) -> str | None:
    """InputRequired sees that something was typed; spaces alone are not something."""
    if field.data != "" or field.errors:
        return None
    required = next((v for v in field.validators if isinstance(v, InputRequired)), None)
    return (required.message or "Ce champ est obligatoire.") if required else None
