"""« Télécharger mes données » holds everything the platform keeps about the person: every
table with a column pointing at a person (a users foreign key, an e-mail address) is read by
some feature's PERSONAL_DATA receiver, and its rows show in the download."""

import json

from sqlalchemy import func, or_, select

from lms import hooks
from lms.accounts.services import export_personal_data
from lms.demo import DEMO_PASSWORD
from lms.extensions import db
from lms.models import User


def personal_columns(table):
    """The columns of a table that point at a person."""
    return [
        column
        for column in table.columns
        if any(fk.column.table.name == "users" for fk in column.foreign_keys)
        or "email" in column.name
    ]


def personal_tables():
    return {t.name: personal_columns(t) for t in db.metadata.sorted_tables if personal_columns(t)}


def declared(app):
    """table -> the sections that export it, as the features connected them."""
    tables = {"users": ["compte"]}  # the account itself: lms.accounts.services
    for _, facts in hooks.entries(hooks.PERSONAL_DATA, app):
        for table in facts.get("tables", ()):
            tables.setdefault(table, []).append(facts["section"])
    return tables


def rows_about(table, columns, user) -> int:
    matches = [
        func.lower(column) == user.email.lower() if "email" in column.name else column == user.id
        for column in columns
    ]
    return db.session.scalar(select(func.count()).select_from(table).where(or_(*matches)))


def filled(value) -> bool:
    if isinstance(value, dict):
        return any(filled(v) for v in value.values())
    return bool(value)


def test_every_table_holding_personal_data_is_exported(app):
    missing = set(personal_tables()) - set(declared(app))
    assert not missing, f"tables sans section dans « mes données » : {sorted(missing)}"
    # A table may hold a person through another one (a café's co-animateurs, by their listing).
    unknown = set(declared(app)) - set(db.metadata.tables)
    assert not unknown, f"tables déclarées qui n'existent pas : {sorted(unknown)}"


def test_each_demo_person_finds_every_row_about_them(app, runner):
    assert runner.invoke(args=["lms", "demo"]).exit_code == 0
    sections, tables = declared(app), personal_tables()
    people = db.session.scalars(select(User).order_by(User.id)).all()
    seen = set()
    for person in people:  # some have no password yet (imported): the export, as the view makes it
        with app.test_request_context():
            data = json.loads(json.dumps(export_personal_data(person), default=str))
        for name, columns in tables.items():
            if rows_about(db.metadata.tables[name], columns, person):
                seen.add(name)
                assert any(filled(data.get(s)) for s in sections[name]), (person.email, name)
    # The demo walks most of the platform: the check above is not vacuous.
    assert {"cohort_members", "cohort_trainers", "readiness_answers", "quiz_attempts"} <= seen


def test_cohort_memberships_invitations_and_reminders_are_in_the_download(
    app, runner, client, auth
):
    from cohorts.models import Cohort, CohortMember

    runner.invoke(args=["lms", "demo"])
    member, cohort = db.session.execute(
        select(User, Cohort)
        .join(CohortMember, CohortMember.user_id == User.id)
        .join(Cohort, Cohort.id == CohortMember.cohort_id)
        .limit(1)
    ).one()
    auth.login(member.email, DEMO_PASSWORD)
    data = client.get("/mon-compte/donnees.json").json
    assert {"cohorte": cohort.name}.items() <= data["cohortes"]["membre"][0].items()
    assert set(data["cohortes"]) >= {"membre", "invitations", "relances_recues"}


def test_the_download_shows_what_the_national_statistics_count_of_the_person(client, login_as):
    login_as(structure="Médiathèque de Brest", departement_code="29")
    data = client.get("/mon-compte/donnees.json").json["statistiques_nationales"]
    assert data["departement"] == "29" and data["structure"] == "Médiathèque de Brest"
    assert (data["a_commence"], data["certifie"]) == (False, False)
    client.submit("/deconnexion")
    login_as("formateur")  # the statistics count apprenants only
    assert client.get("/mon-compte/donnees.json").json["statistiques_nationales"] is None
