"""stats: quiz tallies — every account's quiz attempts and answers added up per quiz and per
question, kept by triggers

Revision ID: 9c4e2a7f5d13
Revises: 3b8f1d6c2a47
Create Date: 2026-12-01 22:50:00

The question analysis counted millions of answers, and the quiz summary every attempt, at each
view. The tallies hold the same counts over every account: per quiz, the people who handed in an
attempt, the attempts handed in and those passed; per question, the answers and those right.
Triggers keep them, whoever writes (the quiz form, the bulk loaders, the cascade of an erased
account): each write adds the groups it touched (a person and a quiz; a question) as they are
after it and takes them away as they were before. PostgreSQL once per statement (transition
tables), SQLite per row.
"""

import sqlalchemy as sa
from alembic import op

revision = "9c4e2a7f5d13"
down_revision = "3b8f1d6c2a47"
branch_labels = None
depends_on = None

ATTEMPT_COLUMNS = "id, user_id, module_slug, passed, submitted_at"
# Per person and quiz, signed: attempts handed in, passed, and whether there is any.
ATTEMPT_GROUPS = """
    SELECT {sign} AS sign, module_slug,
           count(submitted_at) AS attempts,
           sum(CASE WHEN submitted_at IS NOT NULL AND passed THEN 1 ELSE 0 END) AS passed,
           CASE WHEN count(submitted_at) > 0 THEN 1 ELSE 0 END AS people
    FROM ({rows}) r GROUP BY user_id, module_slug
"""
ATTEMPT_DELTA = """
    SELECT module_slug, sum(sign * people) AS people, sum(sign * attempts) AS attempts,
           sum(sign * passed) AS passed
    FROM ({after} UNION ALL {before}) g WHERE true GROUP BY module_slug
"""
ANSWER_DELTA = """
    SELECT module_slug, question_id, sum({sign}) AS answers,
           sum(CASE WHEN correct THEN {sign} ELSE 0 END) AS correct
    FROM {rows} r WHERE true GROUP BY module_slug, question_id
"""
# A deletion only moves rows that exist: the tests' cleanup may empty a tally before its table.
EXISTING = {
    "quiz_tallies": "SELECT * FROM ({delta}) d WHERE EXISTS "
    "(SELECT 1 FROM quiz_tallies t WHERE t.module_slug = d.module_slug)",
    "question_tallies": "SELECT * FROM ({delta}) d WHERE EXISTS (SELECT 1 FROM question_tallies t "
    "WHERE t.module_slug = d.module_slug AND t.question_id = d.question_id)",
}
UPSERT = {
    "quiz_tallies": (
        "module_slug",
        "INSERT INTO quiz_tallies (module_slug, people, attempts, passed) {delta} "
        "ON CONFLICT (module_slug) DO UPDATE SET people = quiz_tallies.people + excluded.people, "
        "attempts = quiz_tallies.attempts + excluded.attempts, "
        "passed = quiz_tallies.passed + excluded.passed;",
    ),
    "question_tallies": (
        "module_slug, question_id",
        "INSERT INTO question_tallies (module_slug, question_id, answers, correct) {delta} "
        "ON CONFLICT (module_slug, question_id) DO UPDATE SET "
        "answers = question_tallies.answers + excluded.answers, "
        "correct = question_tallies.correct + excluded.correct;",
    ),
}


def _attempt_delta_pg(operation: str) -> str:
    keys = {
        "INSERT": "SELECT user_id, module_slug FROM new_rows",
        "DELETE": "SELECT user_id, module_slug FROM old_rows",
        "UPDATE": "SELECT user_id, module_slug FROM new_rows UNION "
        "SELECT user_id, module_slug FROM old_rows",
    }[operation]
    after = (
        f"SELECT a.{ATTEMPT_COLUMNS.replace(', ', ', a.')} FROM quiz_attempts a "
        f"JOIN (SELECT DISTINCT * FROM ({keys}) t) k USING (user_id, module_slug)"
    )
    before = {
        "INSERT": f"SELECT * FROM ({after}) x WHERE id NOT IN (SELECT id FROM new_rows)",
        "DELETE": f"SELECT * FROM ({after}) x UNION ALL SELECT {ATTEMPT_COLUMNS} FROM old_rows",
        "UPDATE": f"SELECT * FROM ({after}) x WHERE id NOT IN (SELECT id FROM new_rows) "
        f"UNION ALL SELECT {ATTEMPT_COLUMNS} FROM old_rows",
    }[operation]
    return ATTEMPT_DELTA.format(
        after=ATTEMPT_GROUPS.format(sign=1, rows=after),
        before=ATTEMPT_GROUPS.format(sign=-1, rows=before),
    )


def _answer_delta_pg(operation: str) -> str:
    parts = {
        "INSERT": [(1, "new_rows")],
        "DELETE": [(-1, "old_rows")],
        "UPDATE": [(1, "new_rows"), (-1, "old_rows")],
    }[operation]
    signed = " UNION ALL ".join(
        f"SELECT {sign} AS sign, module_slug, question_id, correct FROM {rows}"
        for sign, rows in parts
    )
    return ANSWER_DELTA.format(sign="sign", rows=f"({signed})")


def _pg(table: str, tally: str, delta_of, operation: str) -> str:
    name = f"{tally}_{operation.lower()}"
    referencing = {
        "INSERT": "NEW TABLE AS new_rows",
        "DELETE": "OLD TABLE AS old_rows",
        "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
    }[operation]
    order, upsert = UPSERT[tally]
    delta = delta_of(operation)
    if operation == "DELETE":
        delta = EXISTING[tally].format(delta=delta)
    delta = f"{delta} ORDER BY {order}"
    return f"""
        CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            -- One writer at a time, this statement's snapshot taken after the wait: a
            -- concurrent writer's rows are committed and seen, or not yet written.
            PERFORM pg_advisory_xact_lock(7342);
            {upsert.format(delta=delta)}
            RETURN NULL;
        END $$;
        CREATE TRIGGER {name} AFTER {operation} ON {table}
            REFERENCING {referencing} FOR EACH STATEMENT EXECUTE FUNCTION {name}();
    """


def _sqlite_attempts(operation: str) -> str:
    group = (
        "SELECT {c} FROM quiz_attempts WHERE user_id = {row}.user_id "
        "AND module_slug = {row}.module_slug"
    )
    new = group.format(c=ATTEMPT_COLUMNS, row="NEW")
    old = group.format(c=ATTEMPT_COLUMNS, row="OLD")
    old_row = "SELECT OLD.id, OLD.user_id, OLD.module_slug, OLD.passed, OLD.submitted_at"

    def step(after: str, before: str) -> str:
        delta = ATTEMPT_DELTA.format(
            after=ATTEMPT_GROUPS.format(sign=1, rows=after),
            before=ATTEMPT_GROUPS.format(sign=-1, rows=before),
        )
        if operation == "DELETE":
            delta = EXISTING["quiz_tallies"].format(delta=delta)
        return UPSERT["quiz_tallies"][1].format(delta=delta)

    steps = {
        "INSERT": [step(new, f"{new} AND id != NEW.id")],
        "DELETE": [step(old, f"{old} UNION ALL {old_row}")],
        # The old row taken out of its group, then the new one put into its own.
        "UPDATE": [
            step(f"{old} AND id != NEW.id", f"{old} AND id != NEW.id UNION ALL {old_row}"),
            step(new, f"{new} AND id != NEW.id"),
        ],
    }[operation]
    name = f"quiz_tallies_{operation.lower()}"
    return f"CREATE TRIGGER {name} AFTER {operation} ON quiz_attempts BEGIN {''.join(steps)} END"


def _sqlite_answers(operation: str) -> str:
    parts = {
        "INSERT": [(1, "NEW")],
        "DELETE": [(-1, "OLD")],
        "UPDATE": [(-1, "OLD"), (1, "NEW")],
    }[operation]

    def step(sign: int, row: str) -> str:
        delta = ANSWER_DELTA.format(
            sign=sign,
            rows=f"(SELECT {row}.module_slug AS module_slug, "
            f"{row}.question_id AS question_id, {row}.correct AS correct)",
        )
        if operation == "DELETE":
            delta = EXISTING["question_tallies"].format(delta=delta)
        return UPSERT["question_tallies"][1].format(delta=delta)

    steps = "".join(step(sign, row) for sign, row in parts)
    name = f"question_tallies_{operation.lower()}"
    return f"CREATE TRIGGER {name} AFTER {operation} ON quiz_answers BEGIN {steps} END"


def upgrade():
    op.create_table(
        "quiz_tallies",
        sa.Column("module_slug", sa.String(length=100), nullable=False),
        sa.Column("people", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("passed", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("module_slug", name=op.f("pk_quiz_tallies")),
    )
    op.create_table(
        "question_tallies",
        sa.Column("module_slug", sa.String(length=100), nullable=False),
        sa.Column("question_id", sa.String(length=100), nullable=False),
        sa.Column("answers", sa.Integer(), nullable=False),
        sa.Column("correct", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("module_slug", "question_id", name=op.f("pk_question_tallies")),
    )
    # What is there already, counted once.
    op.execute(
        "INSERT INTO quiz_tallies (module_slug, people, attempts, passed) "
        "SELECT module_slug, count(DISTINCT user_id), count(*), "
        "sum(CASE WHEN passed THEN 1 ELSE 0 END) FROM quiz_attempts "
        "WHERE submitted_at IS NOT NULL GROUP BY module_slug"
    )
    op.execute(
        "INSERT INTO question_tallies (module_slug, question_id, answers, correct) "
        "SELECT module_slug, question_id, count(*), sum(CASE WHEN correct THEN 1 ELSE 0 END) "
        "FROM quiz_answers GROUP BY module_slug, question_id"
    )
    postgres = op.get_bind().dialect.name == "postgresql"
    for operation in ("INSERT", "DELETE", "UPDATE"):
        if postgres:
            op.execute(_pg("quiz_attempts", "quiz_tallies", _attempt_delta_pg, operation))
            op.execute(_pg("quiz_answers", "question_tallies", _answer_delta_pg, operation))
        else:
            op.execute(_sqlite_attempts(operation))
            op.execute(_sqlite_answers(operation))


def downgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    for table, tally in (("quiz_attempts", "quiz_tallies"), ("quiz_answers", "question_tallies")):
        for operation in ("insert", "delete", "update"):
            name = f"{tally}_{operation}"
            if postgres:
                op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
                op.execute(f"DROP FUNCTION IF EXISTS {name}()")
            else:
                op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.drop_table(tally)
