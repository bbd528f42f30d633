"""The cafés' reach, added up by the database: one row per dimension and code.

Kept by triggers on the reports and their themes, action paths and breakdown (migration
4a8d2f6b9c31), whoever writes, so that the national reach reads a few hundred rows instead of
every report. Exact: each write moves the tally by the difference between the groups it touched
after and before it; only submitted reports count, as in stats.reach. The small-cell rule
applies on output (stats.reach_tables), not here.
"""

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db

# The dimensions of a report (stats.reach.DIMENSIONS), then its choices and breakdown.
CHOICES = ("themes", "suites")
BREAKDOWN = "repartition_"  # + the ReportCount dimension (age, public)


class ReachTally(db.Model):
    """`dimension`: mois, departement, public, format (cafés held, people reached), themes or
    suites (cafés that named the code; people 0), repartition_<dimension> (cafés that gave the
    category, its participants)."""

    __tablename__ = "reach_tallies"

    dimension: Mapped[str] = mapped_column(String(30), primary_key=True)
    code: Mapped[str] = mapped_column(String(30), primary_key=True)
    cafes: Mapped[int]
    people: Mapped[int]
