from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, EmailField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, InputRequired, Length, Optional, ValidationError

from lms.concurrency import new_submission
from lms.departements import choices as departement_choices
from lms.forms import BaseForm


class CohortForm(BaseForm):
    name = StringField(
        "Nom de la cohorte",
        [InputRequired("Donnez un nom à la cohorte."), Length(max=120)],
        description="Par exemple « Conseillers numériques du Morbihan — printemps 2027 ».",
    )
    description = TextAreaField("Description", [Optional(), Length(max=1000)])
    territory = StringField(
        "Territoire",
        [Optional(), Length(max=120)],
        description="Une région, un département, un réseau…",
    )
    departement = SelectField(
        "Département principal",
        [Optional()],
        choices=[SelectChoice("", "Aucun en particulier"), *departement_choices()],
    )
    starts_on = DateField("Date de début", [Optional()], description="Format attendu : JJ/MM/AAAA")
    ends_on = DateField("Date de fin", [Optional()], description="Format attendu : JJ/MM/AAAA")
    # The new-cohort page's one-time token: that page sent twice makes one cohort.
    envoi = HiddenField(default=new_submission)

    def validate_ends_on(self, field):
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError("La date de fin doit suivre la date de début.")


class TrainerForm(BaseForm):
    email = EmailField(
        "Adresse du co-formateur ou de la co-formatrice",
        [
            InputRequired("Indiquez une adresse."),
            Length(max=254),
            Email("Saisissez une adresse électronique valide.", check_deliverability=False),
        ],
    )


class ImportForm(BaseForm):
    file = FileField(
        "Fichier CSV",
        [FileRequired("Choisissez un fichier CSV.")],
        description="Colonnes : email, prenom, nom, structure, departement (UTF-8, séparateur , ou ;).",
    )
