from wtforms import SelectField
from wtforms.fields.choices import SelectChoice

from ..forms import BaseForm
from ..models import ROLE_LABELS


class RoleForm(BaseForm):
    role = SelectField(
        "Rôle", choices=[SelectChoice(role.value, label) for role, label in ROLE_LABELS.items()]
    )
