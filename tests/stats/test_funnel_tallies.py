"""The funnel's tally the database keeps (stats.models: learner_funnel, funnel_tallies) against
a recount.

Generated sequences of writes — sign-ups, accounts moved to another département, profile,
structure, role or week, modules opened, completed and reset (a retired module's too),
certificates granted, revoked and deleted, listings shown and hidden, cohorts joined and left,
cohorts deleted, accounts erased with everything by the cascade — and after each sequence the
figures read from the tally (no filter) equal the figures counted from the rows (a filter that
keeps everybody).
"""

import secrets
from datetime import UTC, datetime, timedelta

import pytest
from flask import g
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from annuaire.models import Listing
from certificates.models import Certificate
from cohorts.models import Cohort, CohortMember
from courses.models import ModuleProgress
from courses.progress import catalogue
from lms.extensions import db
from lms.models import User
from stats import services
from stats.forms import Filters
from stats.models import FunnelModule, FunnelTally, LearnerFunnel

PEOPLE = 4
COHORTS = 2
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
DEPARTEMENTS = ("35", "29", "75")
PROFILES = ("conseiller", "mediateur")
STRUCTURES = ("Médiathèque", " médiathèque ", "Tiers-lieu")
ROLES = ("apprenant", "apprenant", "formateur")
RETIRED = "module-retire"  # progress kept for a module the catalogue no longer has

who = st.integers(0, PEOPLE - 1)
sign_up = st.tuples(
    st.just("sign_up"), who, st.sampled_from(DEPARTEMENTS), st.sampled_from(PROFILES),
    st.sampled_from(STRUCTURES), st.sampled_from(ROLES), st.integers(0, 20),
)  # fmt: skip
move = st.tuples(
    st.just("move"), who, st.sampled_from(("departement_code", "profile", "structure", "role", "created_at")),
    st.integers(0, 2),
)  # fmt: skip
module = st.integers(0, 3)  # the catalogue's first three modules, or the retired one
open_module = st.tuples(st.just("open"), who, module)
complete = st.tuples(st.just("complete"), who, module, st.booleans())
forget = st.tuples(st.just("forget"), who, module)
certify = st.tuples(st.just("certify"), who, st.integers(0, 20))
revoke = st.tuples(st.just("revoke"), who, st.booleans())
uncertify = st.tuples(st.just("uncertify"), who)
listing = st.tuples(st.just("list"), who, st.booleans())
unlist = st.tuples(st.just("unlist"), who)
join = st.tuples(st.just("join"), who, st.integers(0, COHORTS - 1))
leave = st.tuples(st.just("leave"), who, st.integers(0, COHORTS - 1))
drop_cohort = st.tuples(st.just("drop_cohort"), st.integers(0, COHORTS - 1))
erase = st.tuples(st.just("erase"), who)
operations = st.lists(
    st.one_of(
        sign_up, sign_up, move, open_module, open_module, complete, complete, forget, certify,
        revoke, uncertify, listing, unlist, join, join, leave, drop_cohort, erase,
    ),
    max_size=30,
)  # fmt: skip


class World:
    """The people and cohorts of one sequence, by index (None: not there)."""

    def __init__(self):
        slugs = [m.slug for m in catalogue().modules][:3]
        self.modules = [*slugs, *([RETIRED] * (4 - len(slugs)))]
        self.people: list[int | None] = [None] * PEOPLE
        self.cohorts = []
        for n in range(COHORTS):
            cohort = Cohort(name=f"Cohorte {n}", invite_code=secrets.token_hex(16))
            db.session.add(cohort)
            db.session.flush()
            self.cohorts.append(cohort.id)
        db.session.commit()

    def user(self, index: int) -> User | None:
        user_id = self.people[index]
        return db.session.get(User, user_id) if user_id else None

    def one(self, model, **where):
        return db.session.scalar(select(model).filter_by(**where))


def sign_up_person(world: World, index, departement, profile, structure, role, days) -> None:
    if world.people[index] is not None:
        return
    user = User(
        email=f"f{index}-{secrets.token_hex(4)}@exemple.fr",
        first_name="T",
        last_name=f"P{index}",
        profile=profile,
        structure=structure,
        commune="Rennes",
        departement_code=departement,
        role=role,
        created_at=START + timedelta(days=days),
    )
    db.session.add(user)
    db.session.flush()
    world.people[index] = user.id


def move_person(user: User, field: str, choice: int) -> None:
    values = {
        "departement_code": DEPARTEMENTS,
        "profile": PROFILES,
        "structure": STRUCTURES,
        "role": ROLES,
        "created_at": [START + timedelta(days=7 * n) for n in range(3)],
    }[field]
    setattr(user, field, values[choice % len(values)])


def step(world: World, kind: str, args: list) -> None:
    if kind == "sign_up":
        return sign_up_person(world, *args)
    if kind == "drop_cohort":
        db.session.execute(delete(Cohort).where(Cohort.id == world.cohorts[args[0]]))
        return
    user = world.user(args[0])
    if user is None:
        return
    if kind == "move":
        move_person(user, *args[1:])
    elif kind in ("open", "complete", "forget"):
        slug = world.modules[args[1]]
        row = world.one(ModuleProgress, user_id=user.id, module_slug=slug)
        if kind == "open" and row is None:
            db.session.add(ModuleProgress(user_id=user.id, module_slug=slug))
        elif kind == "complete" and row is not None:
            row.completed_at = START if args[2] else None
        elif kind == "forget" and row is not None:
            db.session.delete(row)
    elif kind in ("certify", "revoke", "uncertify"):
        certificate = world.one(Certificate, user_id=user.id)
        if kind == "certify" and certificate is None:
            issued = START + timedelta(days=args[1])
            db.session.add(
                Certificate(user_id=user.id, code=secrets.token_hex(16), issued_at=issued)
            )
        elif kind == "revoke" and certificate is not None:
            certificate.revoked_at = START if args[1] else None
        elif kind == "uncertify" and certificate is not None:
            db.session.delete(certificate)
    elif kind in ("list", "unlist"):
        listed = world.one(Listing, user_id=user.id)
        if kind == "list" and listed is None:
            db.session.add(
                Listing(
                    user_id=user.id, display_name="T", structure="S", commune="Rennes",
                    departement_code="35", region="Bretagne", formats=[], audiences=[],
                    visible=args[1],
                )
            )  # fmt: skip
        elif kind == "list":
            listed.visible = args[1]
        elif kind == "unlist" and listed is not None:
            db.session.delete(listed)
    elif kind in ("join", "leave"):
        cohort_id = world.cohorts[args[1]]
        if not db.session.get(Cohort, cohort_id):
            return
        member = world.one(CohortMember, user_id=user.id, cohort_id=cohort_id)
        if kind == "join" and member is None:
            db.session.add(CohortMember(user_id=user.id, cohort_id=cohort_id))
        elif kind == "leave" and member is not None:
            db.session.delete(member)
    elif kind == "erase":
        # The database's cascade takes the progress, certificate, listing and memberships.
        db.session.execute(delete(User).where(User.id == user.id))
        world.people[args[0]] = None


def run(steps: list[tuple]) -> None:
    world = World()
    for kind, *args in steps:
        step(world, kind, args)
        db.session.commit()


def figures(filters: Filters) -> dict:
    public = services.funnel_by_public(filters, None)
    return {
        "semaines": services.funnel_by_week(filters),
        "departements": services.funnel_by_departement(filters),
        "certifications": services.certifications_by_week(filters),
        "mediane": services.median_days_to_certificate(filters),
        **{kind: sorted(rows, key=repr) for kind, rows in public.items()},
    }


def from_tally_and_counted() -> tuple[dict, dict]:
    g.pop("funnel_catalogue_checked", None)  # as a new request: the catalogue checked again
    everybody = Filters(start=(START - timedelta(days=3650)).date())
    from_tally = figures(Filters())
    # The delays are kept as floating point numbers: the last digits may differ from the ones
    # computed anew (PostgreSQL's are exact decimals).
    median, n = from_tally["mediane"]
    from_tally["mediane"] = (None if median is None else pytest.approx(median, rel=1e-12)), n
    return from_tally, figures(everybody)


def empty_everything() -> None:
    for model in (User, Cohort, FunnelTally, FunnelModule):
        db.session.execute(delete(model))
    db.session.commit()


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=operations)
# A member erased: their row and their memberships go in one cascade (PostgreSQL fires the
# statement triggers of both after both are gone).
@example(
    steps=[
        ("sign_up", 0, "35", "conseiller", "Tiers-lieu", "apprenant", 0),
        ("join", 0, 0),
        ("erase", 0),
    ]
)
def test_the_funnel_read_from_the_tally_equals_a_recount_after_any_writes(app, steps):
    empty_everything()
    run(steps)
    from_tally, counted = from_tally_and_counted()
    assert from_tally == counted


def test_a_changed_catalogue_recounts_every_learner(app, create_user):
    """The tally counted against another catalogue (a deployment later): the first figures
    read set the catalogue served and recount, and agree with the rows again."""
    empty_everything()
    person = create_user()
    slugs = [m.slug for m in catalogue().modules]
    for slug in slugs:
        db.session.add(ModuleProgress(user_id=person.id, module_slug=slug, completed_at=START))
    db.session.commit()
    from_tally, counted = from_tally_and_counted()
    assert from_tally == counted
    assert from_tally["departements"]["69"]["termine"] == 1
    # As if the tally had been counted while one more module was in the catalogue.
    db.session.add(FunnelModule(slug="module-a-venir"))
    db.session.execute(
        LearnerFunnel.__table__.update().values(completed=0)
    )  # the learner rows as that catalogue counted them
    db.session.commit()
    from_tally, counted = from_tally_and_counted()
    assert from_tally == counted
    assert db.session.scalars(select(FunnelModule.slug)).all() == sorted(slugs)
