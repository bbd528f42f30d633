"""stats: funnel tallies — each learner's steps of the funnel, and their sums by week, place,
profile, structure, cohort and week of certificate, kept by triggers

Revision ID: a4e7c1f9b382
Revises: 9c4e2a7f5d13
Create Date: 2026-12-02 05:00:00

The overview, the territories, the publics and the open data joined every learner to their
progress, certificate and listing at each view. Two levels now hold the same counts:

- `learner_funnel`, one row per apprenant: the groups they fall in and their flags (started,
  completed, certified, listed). Triggers on users, module_progress, certificates and
  annuaire_listings recount the rows of the learners a statement touched (delete, then insert
  from the tables as they are after it). « Completed » means every module of the catalogue:
  the catalogue's slugs are kept in `funnel_modules`, which the app rewrites (and recounts
  every learner) when it differs from the catalogue it serves (stats.services).
- `funnel_tallies`, per dimension and group: the sums of those rows. Triggers on
  learner_funnel add the rows inserted and take away the rows deleted; triggers on
  cohort_members add or take away a member's row from their cohort's group.

On PostgreSQL once per statement (transition tables), on SQLite per row.
"""

import sqlalchemy as sa
from alembic import op

revision = "a4e7c1f9b382"
down_revision = "9c4e2a7f5d13"
branch_labels = None
depends_on = None

LOCK = "PERFORM pg_advisory_xact_lock(7342);"  # the other tallies' writer lock
FLAGS = ("started", "completed", "certified", "listed")
FUNNEL_COLUMNS = (
    "user_id, week, departement_code, profile, structure, structure_key, "
    "started, completed, certified, listed, certified_week, days_to_certificate"
)
WEEK = {
    "postgresql": "to_char(date_trunc('week', timezone('UTC', {c})), 'YYYY-MM-DD')",
    "sqlite": "date({c}, 'weekday 0', '-6 days')",
}
# From sign-up to certificate, as stats.services.days_between counts them.
DAYS = {
    "postgresql": "extract(epoch FROM c.issued_at - u.created_at) / 86400.0",
    "sqlite": "julianday(c.issued_at) - julianday(u.created_at)",
}
# The facts of the apprenants among {ids}, as stats.services.facts() counts them.
FACTS = """
    SELECT u.id, {user_week}, u.departement_code, u.profile, u.structure,
        lower(trim(u.structure)),
        CASE WHEN p.opened > 0 THEN 1 ELSE 0 END,
        CASE WHEN p.opened > 0 AND p.done >= (SELECT count(*) FROM funnel_modules)
            THEN 1 ELSE 0 END,
        CASE WHEN c.id IS NOT NULL THEN 1 ELSE 0 END,
        CASE WHEN c.id IS NOT NULL AND l.visible THEN 1 ELSE 0 END,
        CASE WHEN c.id IS NOT NULL THEN {certificate_week} END,
        CASE WHEN c.id IS NOT NULL THEN {days} END
    FROM users u
    LEFT JOIN (
        SELECT m.user_id, count(*) AS opened, count(m.completed_at) AS done
        FROM module_progress m JOIN funnel_modules f ON f.slug = m.module_slug
        WHERE m.user_id IN ({ids}) GROUP BY m.user_id
    ) p ON p.user_id = u.id
    LEFT JOIN certificates c ON c.user_id = u.id AND c.revoked_at IS NULL
    LEFT JOIN annuaire_listings l ON l.user_id = u.id
    WHERE u.role = 'apprenant' AND u.id IN ({ids})
"""


def insert_facts(dialect: str, ids: str) -> str:
    """The learner rows of the apprenants among `ids` (a SELECT of user ids), inserted."""
    facts = FACTS.format(
        ids=ids,
        user_week=WEEK[dialect].format(c="u.created_at"),
        certificate_week=WEEK[dialect].format(c="c.issued_at"),
        days=DAYS[dialect],
    )
    return f"INSERT INTO learner_funnel ({FUNNEL_COLUMNS}) {facts}"


def recount(dialect: str, ids: str) -> str:
    """The statements that recount the learners among `ids`: their rows deleted, inserted."""
    return f"DELETE FROM learner_funnel WHERE user_id IN ({ids}); {insert_facts(dialect, ids)};"


# Each learner row counts in one group of each dimension; in their certificate's week when
# certified; in each of their cohorts.
GROUPS = (
    ("semaine", "r.week", ""),
    ("departement", "r.departement_code", ""),
    ("profil", "r.profile", ""),
    ("structure", "r.structure_key", ""),
    ("certification", "r.certified_week", "WHERE r.certified_week IS NOT NULL"),
    ("cohorte", "CAST(m.cohort_id AS TEXT)", "JOIN cohort_members m ON m.user_id = r.user_id"),
)
SUMS = "sum(sign) AS registered, " + ", ".join(f"sum(sign * {f}) AS {f}" for f in FLAGS)
COLUMNS = "dimension, group_key, registered, " + ", ".join(FLAGS)


def delta(rows: str, groups=GROUPS) -> str:
    """The signed sums, by dimension and group, of learner rows (`rows`: a SELECT with a sign
    column and learner_funnel's columns)."""
    parts = " UNION ALL ".join(
        f"SELECT '{name}' AS dimension, {key} AS group_key, r.sign, "
        + ", ".join(f"r.{f}" for f in FLAGS)
        + f" FROM ({rows}) r {join}"
        for name, key, join in groups
    )
    return f"SELECT dimension, group_key, {SUMS} FROM ({parts}) d WHERE true GROUP BY dimension, group_key"


def add(rows: str, groups=GROUPS) -> str:
    updates = ", ".join(f"{c} = funnel_tallies.{c} + excluded.{c}" for c in COLUMNS.split(", ")[2:])
    return (
        f"INSERT INTO funnel_tallies ({COLUMNS}) {delta(rows, groups)} "
        f"ORDER BY dimension, group_key "
        f"ON CONFLICT (dimension, group_key) DO UPDATE SET {updates};"
    )


def take_away(rows: str, groups=GROUPS) -> str:
    """Only groups that exist move: the tests' cleanup may empty the tally before its rows."""
    updates = ", ".join(f"{c} = funnel_tallies.{c} + d.{c}" for c in COLUMNS.split(", ")[2:])
    return (
        f"UPDATE funnel_tallies SET {updates} FROM ({delta(rows, groups)}) d "
        "WHERE funnel_tallies.dimension = d.dimension AND funnel_tallies.group_key = d.group_key;"
    )


COHORT = (("cohorte", "CAST(r.cohort_id AS TEXT)", ""),)


def member_rows(sign: int, members: str) -> str:
    """A cohort membership's learner row, with the cohort: what a member adds to it."""
    return (
        f"SELECT {sign} AS sign, m.cohort_id, f.* FROM {members} m "
        "JOIN learner_funnel f ON f.user_id = m.user_id"
    )


# --- PostgreSQL: statement triggers -------------------------------------------------------------

REFERENCING = {
    "INSERT": "NEW TABLE AS new_rows",
    "DELETE": "OLD TABLE AS old_rows",
    "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
}
# users: only the columns the facts read make an update worth a recount.
USER_CHANGED = (
    "SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE "
    "(n.role, n.departement_code, n.profile, n.structure, n.created_at) IS DISTINCT FROM "
    "(o.role, o.departement_code, o.profile, o.structure, o.created_at)"
)
PG_IDS = {
    ("users", "INSERT"): "SELECT id FROM new_rows",
    ("users", "UPDATE"): USER_CHANGED,
    "INSERT": "SELECT user_id FROM new_rows",
    "DELETE": "SELECT user_id FROM old_rows",
    "UPDATE": "SELECT user_id FROM new_rows UNION SELECT user_id FROM old_rows",
}
SOURCES = ("users", "module_progress", "certificates", "annuaire_listings")


def _pg_trigger(table: str, operation: str, name: str, body: str, guard: str = "true") -> str:
    return f"""
        CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF {guard} THEN
                {LOCK}
                {body}
            END IF;
            RETURN NULL;
        END $$;
        CREATE TRIGGER {name} AFTER {operation} ON {table}
            REFERENCING {REFERENCING[operation]} FOR EACH STATEMENT EXECUTE FUNCTION {name}();
    """


# A user deleted: their row goes first, while their memberships are there to take it away
# from their cohorts. Left to the cascades, both would be gone before either statement's
# triggers ran, and the cohorts would keep them.
PG_USER_DELETE = """
    CREATE FUNCTION learner_funnel_users_delete() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM learner_funnel WHERE user_id = OLD.id;
        RETURN OLD;
    END $$;
    CREATE TRIGGER learner_funnel_users_delete BEFORE DELETE ON users
        FOR EACH ROW EXECUTE FUNCTION learner_funnel_users_delete();
"""


def _pg_triggers() -> list[str]:
    found = []
    for table in SOURCES:
        # A deleted user's row goes with the foreign key's cascade.
        for operation in (
            ("INSERT", "UPDATE") if table == "users" else ("INSERT", "DELETE", "UPDATE")
        ):
            ids = PG_IDS.get((table, operation), PG_IDS[operation])
            name = f"learner_funnel_{table}_{operation.lower()}"
            # An update of a user that changes none of their groups (a login) waits for no lock.
            guard = f"EXISTS ({ids})" if operation == "UPDATE" else "true"
            found.append(_pg_trigger(table, operation, name, recount("postgresql", ids), guard))
    found.append(PG_USER_DELETE)
    new, old = "SELECT 1 AS sign, * FROM new_rows", "SELECT -1 AS sign, * FROM old_rows"
    bodies = {"INSERT": add(new), "DELETE": take_away(old), "UPDATE": take_away(old) + add(new)}
    for operation, body in bodies.items():
        found.append(
            _pg_trigger("learner_funnel", operation, f"funnel_tallies_{operation.lower()}", body)
        )
    members = {
        "INSERT": add(member_rows(1, "new_rows"), COHORT),
        "DELETE": take_away(member_rows(-1, "old_rows"), COHORT),
        "UPDATE": take_away(member_rows(-1, "old_rows"), COHORT)
        + add(member_rows(1, "new_rows"), COHORT),
    }
    for operation, body in members.items():
        name = f"funnel_tallies_members_{operation.lower()}"
        found.append(_pg_trigger("cohort_members", operation, name, body))
    return found


# --- SQLite: row triggers -----------------------------------------------------------------------

SQLITE_IDS = {
    ("users", "INSERT"): "SELECT NEW.id",
    ("users", "UPDATE"): "SELECT NEW.id",
    "INSERT": "SELECT NEW.user_id",
    "DELETE": "SELECT OLD.user_id",
    "UPDATE": "SELECT OLD.user_id UNION SELECT NEW.user_id",
}
SQLITE_UPDATE_OF = {
    "users": "role, departement_code, profile, structure, created_at",
    "module_progress": "user_id, module_slug, completed_at",
    "certificates": "user_id, revoked_at, issued_at",
    "annuaire_listings": "user_id, visible",
}


def _sqlite_row(sign: int, row: str) -> str:
    columns = ", ".join(f"{row}.{c} AS {c}" for c in FUNNEL_COLUMNS.split(", "))
    return f"SELECT {sign} AS sign, {columns}"


def _sqlite_member(sign: int, row: str) -> str:
    return (
        f"SELECT {sign} AS sign, {row}.cohort_id AS cohort_id, f.* FROM learner_funnel f "
        f"WHERE f.user_id = {row}.user_id"
    )


def _sqlite_triggers() -> list[str]:
    found = []
    for table in SOURCES:
        for operation in (
            ("INSERT", "UPDATE") if table == "users" else ("INSERT", "DELETE", "UPDATE")
        ):
            ids = SQLITE_IDS.get((table, operation), SQLITE_IDS[operation])
            event = f"UPDATE OF {SQLITE_UPDATE_OF[table]}" if operation == "UPDATE" else operation
            name = f"learner_funnel_{table}_{operation.lower()}"
            body = recount("sqlite", ids)
            found.append(f"CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN {body} END")
    bodies = {
        "INSERT": add(_sqlite_row(1, "NEW")),
        "DELETE": take_away(_sqlite_row(-1, "OLD")),
        "UPDATE": take_away(_sqlite_row(-1, "OLD")) + add(_sqlite_row(1, "NEW")),
    }
    for operation, body in bodies.items():
        name = f"funnel_tallies_{operation.lower()}"
        found.append(f"CREATE TRIGGER {name} AFTER {operation} ON learner_funnel BEGIN {body} END")
    members = {
        "INSERT": add(_sqlite_member(1, "NEW"), COHORT),
        "DELETE": take_away(_sqlite_member(-1, "OLD"), COHORT),
        "UPDATE": take_away(_sqlite_member(-1, "OLD"), COHORT)
        + add(_sqlite_member(1, "NEW"), COHORT),
    }
    for operation, body in members.items():
        name = f"funnel_tallies_members_{operation.lower()}"
        found.append(f"CREATE TRIGGER {name} AFTER {operation} ON cohort_members BEGIN {body} END")
    return found


def upgrade():
    op.create_table(
        "funnel_modules",
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("slug", name=op.f("pk_funnel_modules")),
    )
    op.create_table(
        "learner_funnel",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("week", sa.String(length=10), nullable=False),
        sa.Column("departement_code", sa.String(length=3), nullable=False),
        sa.Column("profile", sa.String(length=20), nullable=False),
        sa.Column("structure", sa.String(length=200), nullable=False),
        sa.Column("structure_key", sa.String(length=200), nullable=False),
        *(sa.Column(flag, sa.Integer(), nullable=False) for flag in FLAGS),
        sa.Column("certified_week", sa.String(length=10), nullable=True),
        sa.Column("days_to_certificate", sa.Double(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_learner_funnel_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_learner_funnel")),
    )
    op.create_table(
        "funnel_tallies",
        sa.Column("dimension", sa.String(length=20), nullable=False),
        sa.Column("group_key", sa.String(length=200), nullable=False),
        sa.Column("registered", sa.Integer(), nullable=False),
        *(sa.Column(flag, sa.Integer(), nullable=False) for flag in FLAGS),
        sa.PrimaryKeyConstraint("dimension", "group_key", name=op.f("pk_funnel_tallies")),
    )
    # The median delay reads the middle of these, in order; a structure's spelling, its key's.
    op.create_index(
        "ix_learner_funnel_days_to_certificate", "learner_funnel", ["days_to_certificate"]
    )
    op.create_index(
        "ix_erased_learners_days_to_certificate", "erased_learners", ["days_to_certificate"]
    )
    op.create_index("ix_learner_funnel_structure", "learner_funnel", ["structure_key", "structure"])
    dialect = op.get_bind().dialect.name
    for statement in _pg_triggers() if dialect == "postgresql" else _sqlite_triggers():
        op.execute(statement)
    # What is there already, counted once (with no catalogue yet: the app sets it and recounts).
    op.execute(insert_facts(dialect, "SELECT id FROM users"))


def downgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    triggers = [
        *(
            (f"learner_funnel_{table}_{operation}", table)
            for table in SOURCES
            for operation in ("insert", "delete", "update")
        ),
        *(
            (f"funnel_tallies_{operation}", "learner_funnel")
            for operation in ("insert", "delete", "update")
        ),
        *(
            (f"funnel_tallies_members_{operation}", "cohort_members")
            for operation in ("insert", "delete", "update")
        ),
    ]
    for name, table in triggers:
        if postgres:
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_index("ix_erased_learners_days_to_certificate", table_name="erased_learners")
    op.drop_table("funnel_tallies")
    op.drop_table("learner_funnel")
    op.drop_table("funnel_modules")
