"""stats: readiness tallies — every account's latest readiness answers added up per phase and
statement, kept by triggers on readiness_answers

Revision ID: 3b8f1d6c2a47
Revises: f2c7a9d4b158
Create Date: 2026-12-01 22:45:00

The national readiness figures counted every answer and, for each, looked for a later one: a
time that grew with the data. The tally holds, per phase and statement, the respondents, those
at 4 or 5 and the sum of the latest answers. Triggers keep it, so every writer (the form, the
bulk loaders of the bench and the demo, a cascade from an erased account) moves it: each write
adds the latest answer of the groups it touched as they are after it, and takes away the
latest as it was before. On PostgreSQL once per statement (transition tables), on SQLite per
row (SQLite has no other kind).
"""

import sqlalchemy as sa
from alembic import op

revision = "3b8f1d6c2a47"
down_revision = "f2c7a9d4b158"
branch_labels = None
depends_on = None

READY = 4  # stats.services.READY

# The latest answer of each (user, phase, statement) of a set of rows, signed.
PG_LATEST = """
    (SELECT DISTINCT ON (user_id, phase, statement_id) {sign} AS sign, phase, statement_id, value
     FROM {rows} ORDER BY user_id, phase, statement_id, answered_at DESC, id DESC)
"""
# {keys}: the groups touched; {before}: their rows before the statement.
PG_DELTA = """
    WITH keys AS (SELECT DISTINCT user_id, phase, statement_id FROM {keys}),
    after_rows AS (
        SELECT a.id, a.user_id, a.phase, a.statement_id, a.value, a.answered_at
        FROM readiness_answers a JOIN keys k USING (user_id, phase, statement_id)
    ),
    before_rows AS ({before}),
    delta AS (
        SELECT phase, statement_id, sum(sign) AS respondents,
               sum(CASE WHEN value >= {ready} THEN sign ELSE 0 END) AS ready,
               sum(sign * value) AS total
        FROM ({after_latest} UNION ALL {before_latest}) signed
        GROUP BY phase, statement_id
    )
"""
PG_UPSERT = """
    INSERT INTO readiness_tallies (phase, statement_id, respondents, ready, total)
    SELECT phase, statement_id, respondents, ready, total FROM delta
    ORDER BY phase, statement_id
    ON CONFLICT (phase, statement_id) DO UPDATE SET
        respondents = readiness_tallies.respondents + EXCLUDED.respondents,
        ready = readiness_tallies.ready + EXCLUDED.ready,
        total = readiness_tallies.total + EXCLUDED.total;
"""
# A delete only moves rows that exist: the tests' cleanup empties the tally before the answers.
PG_UPDATE = """
    UPDATE readiness_tallies t SET respondents = t.respondents + d.respondents,
        ready = t.ready + d.ready, total = t.total + d.total
    FROM delta d WHERE t.phase = d.phase AND t.statement_id = d.statement_id;
"""
COLUMNS = "id, user_id, phase, statement_id, value, answered_at"
BEFORE = {
    "INSERT": "SELECT * FROM after_rows WHERE id NOT IN (SELECT id FROM new_rows)",
    "DELETE": f"SELECT * FROM after_rows UNION ALL SELECT {COLUMNS} FROM old_rows",
    "UPDATE": "SELECT * FROM after_rows WHERE id NOT IN (SELECT id FROM new_rows) "
    f"UNION ALL SELECT {COLUMNS} FROM old_rows",
}
KEYS = {
    "INSERT": "new_rows",
    "DELETE": "old_rows",
    "UPDATE": "(SELECT user_id, phase, statement_id FROM new_rows UNION ALL "
    "SELECT user_id, phase, statement_id FROM old_rows) touched",
}
REFERENCING = {
    "INSERT": "NEW TABLE AS new_rows",
    "DELETE": "OLD TABLE AS old_rows",
    "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
}


def _pg_function(operation: str) -> str:
    delta = PG_DELTA.format(
        keys=KEYS[operation],
        before=BEFORE[operation],
        ready=READY,
        after_latest=PG_LATEST.format(sign=1, rows="after_rows"),
        before_latest=PG_LATEST.format(sign=-1, rows="before_rows"),
    )
    write = PG_UPDATE if operation == "DELETE" else PG_UPSERT
    name = f"readiness_tallies_{operation.lower()}"
    return f"""
        CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            -- One writer at a time, and this statement's snapshot taken after the wait: a
            -- concurrent writer's answers are either committed and seen, or not yet written.
            -- (The tally's rows would make them wait for each other anyway.)
            PERFORM pg_advisory_xact_lock(7341);
            {delta} {write}
            RETURN NULL;
        END $$;
        CREATE TRIGGER {name} AFTER {operation} ON readiness_answers
            REFERENCING {REFERENCING[operation]} FOR EACH STATEMENT EXECUTE FUNCTION {name}();
    """


# SQLite, per row: the group is the row's; its rows after are the table's.
SQLITE_LATEST = """
    SELECT {sign} AS sign, phase, statement_id, value FROM (
        SELECT phase, statement_id, value FROM ({rows})
        ORDER BY answered_at DESC, id DESC LIMIT 1)
"""
SQLITE_GROUP = """
    SELECT id, phase, statement_id, value, answered_at FROM readiness_answers
    WHERE user_id = {row}.user_id AND phase = {row}.phase AND statement_id = {row}.statement_id
"""
SQLITE_UPSERT = """
    INSERT INTO readiness_tallies (phase, statement_id, respondents, ready, total)
    SELECT phase, statement_id, sum(sign), sum(CASE WHEN value >= {ready} THEN sign ELSE 0 END),
           sum(sign * value)
    FROM ({after} UNION ALL {before}) WHERE true GROUP BY phase, statement_id
    ON CONFLICT (phase, statement_id) DO UPDATE SET
        respondents = respondents + excluded.respondents,
        ready = ready + excluded.ready, total = total + excluded.total;
"""
SQLITE_UPDATE = """
    UPDATE readiness_tallies SET
        respondents = readiness_tallies.respondents + d.respondents,
        ready = readiness_tallies.ready + d.ready, total = readiness_tallies.total + d.total
    FROM (SELECT phase, statement_id, sum(sign) AS respondents,
                 sum(CASE WHEN value >= {ready} THEN sign ELSE 0 END) AS ready,
                 sum(sign * value) AS total
          FROM ({after} UNION ALL {before}) GROUP BY phase, statement_id) d
    WHERE readiness_tallies.phase = d.phase AND readiness_tallies.statement_id = d.statement_id;
"""
OLD_ROW = "SELECT OLD.id, OLD.phase, OLD.statement_id, OLD.value, OLD.answered_at"


def _sqlite_step(template: str, after: str, before: str) -> str:
    return template.format(
        ready=READY,
        after=SQLITE_LATEST.format(sign=1, rows=after),
        before=SQLITE_LATEST.format(sign=-1, rows=before),
    )


def _sqlite_trigger(operation: str) -> str:
    new, old = SQLITE_GROUP.format(row="NEW"), SQLITE_GROUP.format(row="OLD")
    if operation == "INSERT":
        steps = [_sqlite_step(SQLITE_UPSERT, new, f"{new} AND id != NEW.id")]
    elif operation == "DELETE":
        steps = [_sqlite_step(SQLITE_UPDATE, old, f"{old} UNION ALL {OLD_ROW}")]
    else:  # an update: the old row taken out of its group, then the new one put into its own
        steps = [
            _sqlite_step(
                SQLITE_UPSERT,
                f"{old} AND id != NEW.id",
                f"{old} AND id != NEW.id UNION ALL {OLD_ROW}",
            ),
            _sqlite_step(SQLITE_UPSERT, new, f"{new} AND id != NEW.id"),
        ]
    name = f"readiness_tallies_{operation.lower()}"
    return (
        f"CREATE TRIGGER {name} AFTER {operation} ON readiness_answers BEGIN {''.join(steps)} END"
    )


def upgrade():
    op.create_table(
        "readiness_tallies",
        sa.Column("phase", sa.String(length=10), nullable=False),
        sa.Column("statement_id", sa.String(length=50), nullable=False),
        sa.Column("respondents", sa.Integer(), nullable=False),
        sa.Column("ready", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("phase", "statement_id", name=op.f("pk_readiness_tallies")),
    )
    # What is there already, counted once.
    op.execute(
        f"""
        INSERT INTO readiness_tallies (phase, statement_id, respondents, ready, total)
        SELECT phase, statement_id, count(*), sum(CASE WHEN value >= {READY} THEN 1 ELSE 0 END),
               sum(value)
        FROM readiness_answers a
        WHERE NOT EXISTS (
            SELECT 1 FROM readiness_answers l
            WHERE l.user_id = a.user_id AND l.phase = a.phase AND l.statement_id = a.statement_id
              AND (l.answered_at > a.answered_at OR (l.answered_at = a.answered_at AND l.id > a.id)))
        GROUP BY phase, statement_id
        """
    )
    postgres = op.get_bind().dialect.name == "postgresql"
    for operation in ("INSERT", "DELETE", "UPDATE"):
        op.execute(_pg_function(operation) if postgres else _sqlite_trigger(operation))


def downgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    for operation in ("insert", "delete", "update"):
        name = f"readiness_tallies_{operation}"
        if postgres:
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON readiness_answers")
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table("readiness_tallies")
