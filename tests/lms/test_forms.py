"""The one form-field macro: every kind of field gets its label, and its hint and error tied to it."""

import re

import pytest
from flask import render_template_string
from wtforms import BooleanField, RadioField, SelectField, SelectMultipleField, StringField, widgets
from wtforms.fields.choices import SelectChoice

from annuaire.forms import CheckboxesField
from lms.forms import BaseForm, QuickSelect

TWO = [SelectChoice("a", "A"), SelectChoice("b", "B")]


class Sample(BaseForm):
    class Meta:
        csrf = False

    text = StringField("Commune", description="Celle où vous travaillez.")
    select = SelectField("Profil", choices=TWO, description="Votre métier.")
    boolean = BooleanField("J'accepte", description="Obligatoire.")
    radio = RadioField("Contact", choices=TWO, description="Un seul.")
    boxes = CheckboxesField("Formats", choices=TWO, description="Un ou plus.")


@pytest.mark.parametrize("name", ["text", "select", "boolean", "radio", "boxes"])
def test_hint_and_error_are_tied_to_the_field(app, name):
    with app.test_request_context():
        form = Sample()
        field = form[name]
        field.errors = ["Ce champ est obligatoire."]
        html = render_template_string(
            '{% from "macros/forms.html" import field %}{{ field(f) }}', f=field
        )
    tied = re.search(r'aria-(?:describedby|labelledby)="([^"]+)"', html).group(1).split()
    assert f"{name}-hint" in tied and f"{name}-error" in tied
    for id_ in tied:
        assert f'id="{id_}"' in html
    assert "Ce champ est obligatoire." in html and field.description in html


HOSTILE = [
    SelectChoice("", "Toutes"),
    SelectChoice("12", 'Promo <Rennes> & « Brest » l\'été "2026"'),
    SelectChoice("a'b\"<", ""),
    SelectChoice("attrs", "Avec attributs", render_kw={"disabled": True}),
]


class Selects(BaseForm):
    class Meta:
        csrf = False

    one = SelectField("Un", choices=HOSTILE)
    many = SelectMultipleField("Plusieurs", choices=HOSTILE)
    radio = RadioField("Contact", choices=TWO)


@pytest.mark.parametrize("chosen", [None, "12", "a'b\"<"])
def test_every_select_is_written_as_wtforms_writes_it(app, chosen):
    """The platform's selects write their options themselves (faster): the same HTML."""
    with app.test_request_context():
        form = Selects(data={"one": chosen, "many": [chosen] if chosen else []})
        assert isinstance(form.one.widget, QuickSelect) and form.many.widget.multiple
        assert not isinstance(form.radio.widget, QuickSelect)
        for field in (form.one, form.many):
            wtforms_own = widgets.Select(multiple=field.widget.multiple)(field, class_="fr-select")
            assert str(field(class_="fr-select")) == str(wtforms_own)
            assert ("selected" in str(field())) == bool(chosen)
