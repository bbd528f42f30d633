"""The filters of every statistics page: a period of sign-up, a région, a cohort."""

from datetime import date

from sqlalchemy import select
from wtforms import DateField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional, ValidationError

from cohorts.models import Cohort
from lms.departements import all_departements
from lms.extensions import db
from lms.forms import BaseForm
from lms.params import date_in_range, date_range_message


def regions() -> list[str]:
    return sorted({d.region for d in all_departements().values()})


class FrenchDateField(DateField):
    """An <input type="date">: a value it cannot read gets a French message, not WTForms' own."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(
                "Date non reconnue : choisissez-la dans le calendrier ou écrivez-la AAAA-MM-JJ."
            ) from None
        # 9999-12-31 is a date, but one more day overflows, and each week up to it is a bar.
        if self.data is not None and not date_in_range(self.data):
            self.data = None
            raise ValueError(date_range_message())


class KnownChoiceField(SelectField):
    """A select whose unknown values get the field's own French message."""

    def __init__(self, *args, unknown: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.unknown = unknown

    def pre_validate(self, form):
        if self.data not in {choice.value for choice in self.choices}:
            raise ValidationError(self.unknown)


class QueryFilterForm(BaseForm):
    """Read from the query string: the pages are links that can be shared and bookmarked.
    A period (`du`, `au`) and a `region`, which subclasses declare with their own words."""

    class Meta:
        csrf = False  # a GET form that changes nothing

    def __init__(self, args):
        super().__init__(args)
        self.region.choices = [SelectChoice("", "Toutes"), *(SelectChoice(r, r) for r in regions())]

    def validate_au(self, field):
        if field.data and self.du.data and field.data < self.du.data:
            raise ValidationError("La fin de la période doit suivre son début.")


class FilterForm(QueryFilterForm):
    """Who is counted: a period of sign-up, a région, a cohort."""

    du = FrenchDateField(
        "Inscrit·es à partir du", [Optional()], description="Date d'inscription, incluse."
    )
    au = FrenchDateField("Jusqu'au", [Optional()], description="Date d'inscription, incluse.")
    region = KnownChoiceField(
        "Région", default="", unknown="Région inconnue : choisissez-la dans la liste."
    )
    cohorte = KnownChoiceField(
        "Cohorte",
        default="",
        unknown="Cohorte inconnue : elle a pu être supprimée, choisissez-en une autre.",
    )

    def __init__(self, args):
        super().__init__(args)
        self.cohorte.choices = [SelectChoice("", "Toutes"), *cohort_choices()]

    def filters(self) -> "Filters":
        return Filters(
            start=self.du.data,
            end=self.au.data,
            region=self.region.data or "",
            cohort=int(self.cohorte.data) if self.cohorte.data else None,
        )


def cohort_choices() -> list[SelectChoice]:
    rows = db.session.execute(select(Cohort.id, Cohort.name).order_by(Cohort.name, Cohort.id))
    return [SelectChoice(str(cohort_id), name) for cohort_id, name in rows]


class Filters:
    """Validated filters: who is counted."""

    def __init__(self, start: date | None = None, end: date | None = None, region="", cohort=None):
        self.start, self.end, self.region, self.cohort = start, end, region, cohort

    @property
    def any(self) -> bool:
        return bool(self.start or self.end or self.region or self.cohort)

    def args(self) -> dict[str, str]:
        """The query string that gives these filters back (links, exports)."""
        args = {
            "du": self.start.isoformat() if self.start else "",
            "au": self.end.isoformat() if self.end else "",
            "region": self.region,
            "cohorte": str(self.cohort) if self.cohort else "",
        }
        return {name: value for name, value in args.items() if value}
