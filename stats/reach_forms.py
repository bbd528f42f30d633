"""The filters of the reach and syntheses pages: the period of the café, a territory, a theme."""

from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional, ValidationError

from cafes.models import THEMES
from lms.departements import all_departements, departement
from lms.forms import BaseForm

from .forms import FrenchDateField, KnownChoiceField, regions
from .reach import ReachFilters


class ReachFilterForm(BaseForm):
    """Read from the query string, like the other statistics pages."""

    class Meta:
        csrf = False  # a GET form that changes nothing

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
        self.region.choices = [SelectChoice("", "Toutes"), *(SelectChoice(r, r) for r in regions())]
        deps = sorted(all_departements().values(), key=lambda d: d.code)
        self.departement.choices = [
            SelectChoice("", "Tous"),
            *(SelectChoice(d.code, f"{d.code} — {d.nom}") for d in deps),
        ]
        self.theme.choices = [
            SelectChoice("", "Tous"),
            *(SelectChoice(code, label) for code, label in THEMES.items()),
        ]

    def validate_au(self, field):
        if field.data and self.du.data and field.data < self.du.data:
            raise ValidationError("La fin de la période doit suivre son début.")

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
