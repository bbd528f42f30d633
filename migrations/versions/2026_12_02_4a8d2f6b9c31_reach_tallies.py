"""stats: reach tallies — the submitted café reports added up per month, département, audience,
format, theme, action path and breakdown category, kept by triggers

Revision ID: 4a8d2f6b9c31
Revises: a4e7c1f9b382
Create Date: 2026-12-02 04:50:00

The national reach (stats.reach) grouped every submitted report at each view: a time that grew
with the reports. The tally holds, per dimension and code, the cafés held and the people they
reached (for a theme or an action path, the cafés that named it; for a breakdown category, the
cafés that gave it and its participants). Triggers keep it, whoever writes (the report form, the
bulk loaders, an erasure that empties a report's free words, a cascade): each write adds the
groups it touched as they are after it and takes them away as they were before. A report that
becomes submitted (or stops being) brings its themes, paths and breakdown in (or out); a report
deleted takes them out before the cascade deletes them (a row-level BEFORE DELETE: once it is
gone, its children no longer say whether they counted). PostgreSQL once per statement
(transition tables), SQLite per row.
"""

import sqlalchemy as sa
from alembic import op

revision = "4a8d2f6b9c31"
down_revision = "a4e7c1f9b382"
branch_labels = None
depends_on = None

SUBMITTED = "'envoye'"  # cafes.models.SUBMITTED
LOCK = "PERFORM pg_advisory_xact_lock(7343);"  # one writer at a time (see readiness_tallies)
REPORT_COLUMNS = "id, status, held_on, departement_code, audience, format, participants"
# The reports' own dimensions: stats.reach.by_dimension's groups.
DIMENSIONS = {
    "mois": "{month}",
    "departement": "departement_code",
    "public": "audience",
    "format": "format",
}
MONTH = {"postgresql": "to_char(held_on, 'YYYY-MM')", "sqlite": "strftime('%Y-%m', held_on)"}
CHOICES = {"themes": "cafe_report_themes", "suites": "cafe_report_action_paths"}


def _report_delta(signed: str, dialect: str) -> str:
    """`signed`: reports (REPORT_COLUMNS) with a sign; the submitted ones, per dimension."""
    return " UNION ALL ".join(
        f"SELECT '{name}' AS dimension, {column.format(month=MONTH[dialect])} AS code, "
        f"sign AS cafes, sign * participants AS people FROM ({signed}) s "
        f"WHERE status = {SUBMITTED}"
        for name, column in DIMENSIONS.items()
    )


def _children_of(reports: str) -> str:
    """`reports` (id, sign): their themes and paths (once per code), breakdown, signed."""
    parts = [
        f"SELECT '{name}' AS dimension, c.code AS code, sum(r.sign) AS cafes, 0 AS people "
        f"FROM (SELECT DISTINCT report_id, code FROM {table}) c "
        f"JOIN ({reports}) r ON r.id = c.report_id GROUP BY c.code"
        for name, table in CHOICES.items()
    ]
    parts.append(
        "SELECT 'repartition_' || c.dimension AS dimension, c.category AS code, "
        "sum(r.sign) AS cafes, sum(r.sign * c.count) AS people "
        f"FROM cafe_report_counts c JOIN ({reports}) r ON r.id = c.report_id "
        "GROUP BY c.dimension, c.category"
    )
    return " UNION ALL ".join(parts)


def _flipped(new: str, old: str) -> str:
    """Reports updated into or out of SUBMITTED: +1 or -1."""
    return (
        f"SELECT n.id AS id, CASE WHEN n.status = {SUBMITTED} THEN 1 ELSE -1 END AS sign "
        f"FROM {new} n JOIN {old} o ON o.id = n.id "
        f"WHERE (n.status = {SUBMITTED}) <> (o.status = {SUBMITTED})"
    )


def _signed(new: str | None, old: str | None, columns: str) -> str:
    parts = [f"SELECT 1 AS sign, {columns} FROM {new} n"] if new else []
    parts += [f"SELECT -1 AS sign, {columns} FROM {old} o"] if old else []
    return " UNION ALL ".join(parts)


def report_delta(new: str | None, old: str | None, dialect: str) -> str:
    delta = _report_delta(_signed(new, old, REPORT_COLUMNS), dialect)
    if new and old:
        delta += " UNION ALL " + _children_of(_flipped(new, old))
    return delta


def choice_delta(name: str, new: str | None, old: str | None) -> str:
    """A theme or path named by a submitted report counts once per report and code: the keys
    touched, present after the write and before it (the rows after, less the new, plus the old)."""
    table = CHOICES[name]
    keys = " UNION ".join(f"SELECT report_id, code FROM {rows} x" for rows in (new, old) if rows)
    exists = f"EXISTS (SELECT 1 FROM {table} t WHERE t.report_id = k.report_id AND t.code = k.code"
    before = [f"{exists} AND t.id NOT IN (SELECT id FROM {new} x))" if new else "false"]
    if old:
        before.append(
            f"EXISTS (SELECT 1 FROM {old} o WHERE o.report_id = k.report_id AND o.code = k.code)"
        )
    return (
        f"SELECT '{name}' AS dimension, k.code AS code, "
        f"sum(CASE WHEN {exists}) THEN 1 ELSE 0 END "
        f"- CASE WHEN {' OR '.join(before)} THEN 1 ELSE 0 END) AS cafes, 0 AS people "
        f"FROM (SELECT DISTINCT report_id, code FROM ({keys}) u) k "
        "JOIN cafe_reports r ON r.id = k.report_id "
        f"WHERE r.status = {SUBMITTED} GROUP BY k.code"
    )


def count_delta(new: str | None, old: str | None) -> str:
    """A breakdown row is one report's category: signed, for submitted reports."""
    columns = "report_id, dimension, category, count"
    return (
        "SELECT 'repartition_' || s.dimension AS dimension, s.category AS code, "
        "sum(s.sign) AS cafes, sum(s.sign * s.count) AS people "
        f"FROM ({_signed(new, old, columns)}) s JOIN cafe_reports r ON r.id = s.report_id "
        f"WHERE r.status = {SUBMITTED} GROUP BY s.dimension, s.category"
    )


def write(delta: str, deleting: bool) -> str:
    """Add the delta's non-zero groups. A deletion only moves rows that exist: the tests'
    cleanup may empty the tally before the reports."""
    summed = (
        f"SELECT dimension, code, sum(cafes) AS cafes, sum(people) AS people FROM ({delta}) d "
        "GROUP BY dimension, code HAVING sum(cafes) <> 0 OR sum(people) <> 0"
    )
    if deleting:
        return (
            "UPDATE reach_tallies SET cafes = reach_tallies.cafes + d.cafes, "
            f"people = reach_tallies.people + d.people FROM ({summed}) d "
            "WHERE reach_tallies.dimension = d.dimension AND reach_tallies.code = d.code;"
        )
    return (
        f"INSERT INTO reach_tallies (dimension, code, cafes, people) SELECT * FROM ({summed}) d "
        "WHERE true ORDER BY dimension, code ON CONFLICT (dimension, code) DO UPDATE SET "
        "cafes = reach_tallies.cafes + excluded.cafes, "
        "people = reach_tallies.people + excluded.people;"
    )


# --- PostgreSQL: once per statement ---------------------------------------------------------

TRANSITIONS = {
    "INSERT": ("new_rows", None, "NEW TABLE AS new_rows"),
    "DELETE": (None, "old_rows", "OLD TABLE AS old_rows"),
    "UPDATE": ("new_rows", "old_rows", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
}
SOURCES = {
    "cafe_reports": report_delta,
    "cafe_report_themes": lambda new, old, dialect: choice_delta("themes", new, old),
    "cafe_report_action_paths": lambda new, old, dialect: choice_delta("suites", new, old),
    "cafe_report_counts": lambda new, old, dialect: count_delta(new, old),
}


def _pg_function(name: str, body: str) -> str:
    return f"""
        CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            {LOCK}
            {body}
            RETURN NULL;
        END $$;
    """


def _pg_statement(table: str, operation: str) -> str:
    new, old, referencing = TRANSITIONS[operation]
    name = f"reach_tallies_{table}_{operation.lower()}"
    body = write(SOURCES[table](new, old, "postgresql"), operation == "DELETE")
    return _pg_function(name, body) + (
        f"CREATE TRIGGER {name} AFTER {operation} ON {table} "
        f"REFERENCING {referencing} FOR EACH STATEMENT EXECUTE FUNCTION {name}();"
    )


def _pg_report_deleting() -> str:
    """Before a submitted report goes, its children leave the tally."""
    name = "reach_tallies_cafe_reports_deleting"
    body = write(
        _children_of(f"SELECT OLD.id AS id, -1 AS sign WHERE OLD.status = {SUBMITTED}"), True
    )
    return f"""
        CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            {LOCK}
            {body}
            RETURN OLD;
        END $$;
        CREATE TRIGGER {name} BEFORE DELETE ON cafe_reports
            FOR EACH ROW EXECUTE FUNCTION {name}();
    """


# --- SQLite: per row ----------------------------------------------------------------------------

ROW_COLUMNS = {
    "cafe_reports": REPORT_COLUMNS,
    "cafe_report_themes": "id, report_id, code",
    "cafe_report_action_paths": "id, report_id, code",
    "cafe_report_counts": "report_id, dimension, category, count",
}


def _row(table: str, row: str) -> str:
    """NEW or OLD as a one-row table."""
    columns = ", ".join(f"{row}.{c} AS {c}" for c in ROW_COLUMNS[table].split(", "))
    return f"(SELECT {columns})"


def _sqlite_trigger(table: str, operation: str) -> str:
    new = _row(table, "NEW") if operation != "DELETE" else None
    old = _row(table, "OLD") if operation != "INSERT" else None
    name = f"reach_tallies_{table}_{operation.lower()}"
    body = write(SOURCES[table](new, old, "sqlite"), operation == "DELETE")
    return f"CREATE TRIGGER {name} AFTER {operation} ON {table} BEGIN {body} END"


def _sqlite_report_deleting() -> str:
    reports = f"SELECT OLD.id AS id, -1 AS sign WHERE OLD.status = {SUBMITTED}"
    body = write(_children_of(reports), True)
    return (
        "CREATE TRIGGER reach_tallies_cafe_reports_deleting BEFORE DELETE ON cafe_reports "
        f"BEGIN {body} END"
    )


# --- what is there already, counted once ----------------------------------------------------


def _fill(dialect: str) -> str:
    reports = f"SELECT 1 AS sign, {REPORT_COLUMNS} FROM cafe_reports"
    submitted = f"SELECT id, 1 AS sign FROM cafe_reports WHERE status = {SUBMITTED}"
    delta = f"{_report_delta(reports, dialect)} UNION ALL {_children_of(submitted)}"
    return write(delta, deleting=False)


def upgrade():
    op.create_table(
        "reach_tallies",
        sa.Column("dimension", sa.String(length=30), nullable=False),
        sa.Column("code", sa.String(length=30), nullable=False),
        sa.Column("cafes", sa.Integer(), nullable=False),
        sa.Column("people", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("dimension", "code", name=op.f("pk_reach_tallies")),
    )
    dialect = op.get_bind().dialect.name
    op.execute(_fill(dialect))
    for table in SOURCES:
        for operation in TRANSITIONS:
            if dialect == "postgresql":
                op.execute(_pg_statement(table, operation))
            else:
                op.execute(_sqlite_trigger(table, operation))
    op.execute(_pg_report_deleting() if dialect == "postgresql" else _sqlite_report_deleting())


def downgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    names = [(t, f"reach_tallies_{t}_{o.lower()}") for t in SOURCES for o in TRANSITIONS]
    names.append(("cafe_reports", "reach_tallies_cafe_reports_deleting"))
    for table, name in names:
        if postgres:
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table("reach_tallies")
