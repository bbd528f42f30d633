"""The filters of the reach and syntheses pages: the period of the café, a territory, a theme."""

from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional, ValidationError

from cafes.models import THEMES
from lms.departements import all_departements, departement

from .forms import FrenchDateField, KnownChoiceField, QueryFilterForm
from .reach import ReachFilters


class ReachFilterForm(QueryFilterForm):
    """Which cafés are counted: the day they were held, a territory, a theme."""

    du = FrenchDateField(
        "Cafés tenus à partir du", [Optional()], description="Jour du café, inclus."
    )
    au = FrenchDateField("Jusqu'au", [Optional()], description="Jour du café, inclus.")
    region = KnownChoiceField(
        "Région", default="", unknown="Région inconnue : choisissez-la dans la liste."
    )
    departement = KnownChoiceField(
        "Département", default="", unknown="Département inconnu : choisissez-le dans la liste."
    )
    theme = KnownChoiceField(
        "Thème", default="", unknown="Thème inconnu : choisissez-le dans la liste."
    )

    def __init__(self, args):
        super().__init__(args)
        deps = sorted(all_departements().values(), key=lambda d: d.code)
        self.departement.choices = [
            SelectChoice("", "Tous"),
            *(SelectChoice(d.code, f"{d.code} — {d.nom}") for d in deps),
        ]
        self.theme.choices = [
            SelectChoice("", "Tous"),
            *(SelectChoice(code, label) for code, label in THEMES.items()),
        ]

    def validate_departement(self, field):
        place = departement(field.data) if field.data else None
        if place and self.region.data and place.region != self.region.data:
            raise ValidationError(
                f"Ce département est en {place.region}, pas en {self.region.data} : "
                "changez la région ou le département."
            )

    def filters(self) -> ReachFilters:
        return ReachFilters(
            start=self.du.data,
            end=self.au.data,
            region=self.region.data or "",
            departement=self.departement.data or "",
            theme=self.theme.data or "",
        )
