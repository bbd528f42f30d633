"""annuaire: a search column without case or accents

« mediatheque » must find « Médiathèque » on SQLite (whose lower() knows only ASCII) as on
PostgreSQL (whose unaccent is an extension): the searched fields are folded by Python when a
listing is written (annuaire.models.fold), and the existing listings are folded here.

Revision ID: 9d4f2b7c1e08
Revises: 249e17c13344
Create Date: 2026-12-01 16:25:00

"""

import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "9d4f2b7c1e08"
down_revision = "249e17c13344"
branch_labels = None
depends_on = None

SEARCHED = ("display_name", "structure", "commune", "presentation")
# A copy of annuaire.models.fold as it was written: a migration must not change with the code.
LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ø": "o", "ł": "l", "’": "'"})


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(LIGATURES))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def upgrade():
    with op.batch_alter_table("annuaire_listings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("search_text", sa.Text(), nullable=False, server_default=""))
    listings = sa.table(
        "annuaire_listings", sa.column("id"), sa.column("search_text"), *map(sa.column, SEARCHED)
    )
    connection = op.get_bind()
    for row in connection.execute(sa.select(listings)).mappings().all():
        text = fold(" ".join(row[name] or "" for name in SEARCHED))
        connection.execute(
            listings.update().where(listings.c.id == row["id"]).values(search_text=text)
        )


def downgrade():
    with op.batch_alter_table("annuaire_listings", schema=None) as batch_op:
        batch_op.drop_column("search_text")
