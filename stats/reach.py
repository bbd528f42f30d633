"""The reach of the Cafés IA, from the reports (comptes rendus) their animateurs submitted.

What counts: a report submitted (a draft is not a figure yet) is one café held, and its number
of participants is the people it reached. A person who came to two cafés counts twice; a café
held but never reported does not count. Each figure is one SQL aggregate over `cafe_reports`,
whose café dimensions (day, département, région, audience, format) are copied at saving time:
no join with the cafés, and the figures stay when a café or its animateur's account goes.
Unfiltered, the figures are read from the tally the database keeps (stats.reach_tallies); with
a filter, they are counted on the reports (`counted_*`), which is also the tally's recount.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Date, String, and_, case, cast, exists, func, literal, select, union_all
from sqlalchemy.orm import aliased

from cafes.models import SUBMITTED, CafeReport, ReportActionPath, ReportCount, ReportTheme
from certificates.models import Certificate
from cohorts.models import CohortMember
from lms.extensions import db
from lms.models import User

from . import services
from .models import ErasedLearner
from .reach_tallies import BREAKDOWN, CHOICES, ReachTally

# The programme's goal: 2 million people reached by the Cafés IA by 2027 (CNNum, « Café IA :
# une dynamique citoyenne inédite en pleine expansion », 2025).
GOAL = 2_000_000
GOAL_YEAR = 2027
GOAL_SOURCE = (
    "https://cnnumerique.fr/annonce/cafe-ia-une-dynamique-citoyenne-inedite-en-pleine-expansion"
)
# The dimensions of a café, each a column of the report, in the tables' order.
DIMENSIONS = ("mois", "departement", "public", "format")
IMPACT_MONTHS = 3  # a café « within 3 months » of the certificate


@dataclass(frozen=True)
class ReachFilters:
    """Which reports count: held in a period, in a région or a département, on a theme."""

    start: date | None = None
    end: date | None = None
    region: str = ""
    departement: str = ""
    theme: str = ""

    @property
    def any(self) -> bool:
        return bool(self.start or self.end or self.region or self.departement or self.theme)

    def args(self) -> dict[str, str]:
        """The query string that gives these filters back (links, exports)."""
        args = {
            "du": self.start.isoformat() if self.start else "",
            "au": self.end.isoformat() if self.end else "",
            "region": self.region,
            "departement": self.departement,
            "theme": self.theme,
        }
        return {name: value for name, value in args.items() if value}


def conditions(filters: ReachFilters) -> list:
    report = CafeReport
    where = [report.status == SUBMITTED]
    if filters.start:
        where.append(report.held_on >= filters.start)
    if filters.end:
        where.append(report.held_on <= filters.end)
    if filters.region:
        where.append(report.region == filters.region)
    if filters.departement:
        where.append(report.departement_code == filters.departement)
    if filters.theme:
        theme = aliased(ReportTheme)  # the theme queries select from ReportTheme themselves
        where.append(exists().where(theme.report_id == report.id, theme.code == filters.theme))
    return where


def month_of(column):
    """'YYYY-MM', in each database's own words."""
    if services._dialect() == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)


def _plus_months(timestamp, months: int):
    """The day `months` calendar months after a timestamp (31 January + 1 month: 28 February
    on PostgreSQL, 3 March on SQLite: the window's end, a day or three apart at most)."""
    if services._dialect() == "postgresql":
        return cast(timestamp + func.make_interval(0, months), Date)
    return func.date(timestamp, f"+{months} months")


def _day_of(timestamp):
    return cast(timestamp, Date) if services._dialect() == "postgresql" else func.date(timestamp)


def _reach():
    return [
        func.count().label("cafes"),
        func.coalesce(func.sum(CafeReport.participants), 0).label("personnes"),
    ]


def _tallied(*dimensions: str, prefix: str = "") -> dict[str, dict[str, dict[str, int]]]:
    """The tally's rows of these dimensions (or of those starting with `prefix`), by dimension
    and code; a group no report counts any more is left out, as a count would leave it."""
    tally = ReachTally
    which = tally.dimension.startswith(prefix) if prefix else tally.dimension.in_(dimensions)
    rows = db.session.execute(
        select(tally.dimension, tally.code, tally.cafes, tally.people).where(
            which, tally.cafes != 0
        )
    )
    found: dict[str, dict] = {name: {} for name in dimensions}
    for dimension, code, cafes, people in rows:
        found.setdefault(dimension, {})[code] = {"cafes": cafes, "personnes": people}
    return found


def by_dimension(filters: ReachFilters) -> dict[str, dict[str, dict[str, int]]]:
    """Cafés and people by month, by département, by audience and by format:
    {"mois": {"2026-03": {"cafes": 12, "personnes": 143}, …}, "departement": {…}, …}."""
    return counted_by_dimension(filters) if filters.any else _tallied(*DIMENSIONS)


def counted_by_dimension(filters: ReachFilters) -> dict[str, dict[str, dict[str, int]]]:
    """by_dimension counted on the reports, in one query."""
    columns = {
        "mois": month_of(CafeReport.held_on),
        "departement": CafeReport.departement_code,
        "public": CafeReport.audience,
        "format": CafeReport.format,
    }
    where = conditions(filters)
    parts = [
        select(literal(name).label("kind"), cast(column, String).label("key"), *_reach())
        .where(*where)
        .group_by(column)
        for name, column in columns.items()
    ]
    found: dict[str, dict] = {name: {} for name in DIMENSIONS}
    for row in db.session.execute(union_all(*parts)):  # a few hundred groups at most
        found[row.kind][row.key] = {"cafes": int(row.cafes), "personnes": int(row.personnes)}
    return found


def totals(filters: ReachFilters) -> dict[str, int]:
    if not filters.any:  # every report has a format: their sum is the total
        found = _tallied("format")["format"].values()
        return {count: sum(row[count] for row in found) for count in ("cafes", "personnes")}
    cafes, people = db.session.execute(select(*_reach()).where(*conditions(filters))).one()
    return {"cafes": int(cafes), "personnes": int(people)}


def choices(filters: ReachFilters) -> dict[str, dict[str, int]]:
    """How many cafés named each theme and each action path (free ones under their code):
    {"themes": {"prise_en_main": 14, "autre": 3}, "suites": {…}}."""
    if filters.any:
        return counted_choices(filters)
    found = _tallied(*CHOICES)
    return {kind: {code: row["cafes"] for code, row in found[kind].items()} for kind in CHOICES}


def counted_choices(filters: ReachFilters) -> dict[str, dict[str, int]]:
    """choices counted on the reports, in one query."""
    where = conditions(filters)
    parts = [
        select(literal(kind).label("kind"), table.code, func.count(table.report_id.distinct()))
        .join(CafeReport, CafeReport.id == table.report_id)
        .where(*where)
        .group_by(table.code)
        for kind, table in (("themes", ReportTheme), ("suites", ReportActionPath))
    ]
    found: dict[str, dict[str, int]] = {"themes": {}, "suites": {}}
    for kind, code, count in db.session.execute(union_all(*parts)):
        found[kind][code] = int(count)
    return found


def breakdown(filters: ReachFilters) -> dict[str, dict[str, dict[str, int]]]:
    """The optional anonymous breakdown, added up: by dimension (age band, audience) and
    category, the participants and the cafés whose report gave that category."""
    if filters.any:
        return counted_breakdown(filters)
    found = _tallied(prefix=BREAKDOWN)
    return {dimension.removeprefix(BREAKDOWN): rows for dimension, rows in found.items()}


def counted_breakdown(filters: ReachFilters) -> dict[str, dict[str, dict[str, int]]]:
    """breakdown counted on the reports, in one query."""
    query = (
        select(
            ReportCount.dimension,
            ReportCount.category,
            func.sum(ReportCount.count),
            func.count(ReportCount.report_id.distinct()),
        )
        .join(CafeReport, CafeReport.id == ReportCount.report_id)
        .where(*conditions(filters))
        .group_by(ReportCount.dimension, ReportCount.category)
    )
    found: dict[str, dict] = {}
    for dimension, category, people, cafes in db.session.execute(query):
        found.setdefault(dimension, {})[category] = {"cafes": int(cafes), "personnes": int(people)}
    return found


# --- from the training to the cafés -----------------------------------------------------------


def _valid_certificate():
    return and_(Certificate.user_id == User.id, Certificate.revoked_at.is_(None))


def _impact_facts():
    """Per certified animateur: the day their 3 months end, and whether they held a café,
    reported, between the day of their certificate and that day."""
    window_end = _plus_months(Certificate.issued_at, IMPACT_MONTHS)
    held = exists().where(
        CafeReport.animateur_id == User.id,
        CafeReport.status == SUBMITTED,
        CafeReport.held_on >= _day_of(Certificate.issued_at),
        CafeReport.held_on <= window_end,
    )
    return window_end, held


def impact(filters, today: date) -> dict[str, int]:
    """Of the certified animateurs among the learners the overview counts (`filters`, its
    Filters), those certified at least IMPACT_MONTHS months before `today` (the others have
    not had their three months yet), and how many of them held a café in those months.
    Learners who erased their account count as they did (stats.erasure keeps both facts)."""
    window_end, held = _impact_facts()
    accounts = (
        select(func.count().label("n"), func.coalesce(func.sum(case((held, 1), else_=0)), 0))
        .select_from(User)
        .join(Certificate, _valid_certificate())
        .where(window_end <= today, *services.conditions(filters))
    )
    erased = ErasedLearner
    gone = select(
        func.count(),
        func.coalesce(func.sum(case((erased.held_cafe_in_time.is_(True), 1), else_=0)), 0),
    ).where(
        erased.certified.is_(True),
        erased.impact_until <= today,
        *services.erased_conditions(filters),
    )
    rows = db.session.execute(union_all(accounts, gone)).all()
    return {"certifies": sum(int(r[0]) for r in rows), "actifs": sum(int(r[1]) for r in rows)}


def impact_of(user_id: int) -> tuple[date | None, bool | None]:
    """The two facts of impact() for one person, kept when they erase their account."""
    window_end, held = _impact_facts()
    row = db.session.execute(
        select(window_end, held)
        .select_from(User)
        .join(Certificate, _valid_certificate())
        .where(User.id == user_id)
    ).one_or_none()
    if row is None:
        return None, None
    return date.fromisoformat(str(row[0])[:10]), bool(row[1])


def cohort_reach(cohort_id: int) -> dict[str, int]:
    """The cohort's certified animateurs, how many held a café, the cafés and people reached
    (reports submitted by those who hold the status now), in one query."""
    members = (
        select(User.id)
        .join(CohortMember, CohortMember.user_id == User.id)
        .join(Certificate, _valid_certificate())
        .where(CohortMember.cohort_id == cohort_id)
        .subquery()
    )
    reports = (
        select(
            func.count(CafeReport.animateur_id.distinct()).label("animateurs"),
            *_reach(),
        )
        .where(CafeReport.animateur_id.in_(select(members.c.id)), CafeReport.status == SUBMITTED)
        .subquery()
    )
    row = db.session.execute(
        select(
            select(func.count()).select_from(members).scalar_subquery(),
            reports.c.animateurs,
            reports.c.cafes,
            reports.c.personnes,
        )
    ).one()
    return dict(zip(("certifies", "animateurs", "cafes", "personnes"), map(int, row), strict=True))


# --- the syntheses ----------------------------------------------------------------------------


def consented(filters: ReachFilters, limit: int | None = None, offset: int = 0):
    """The syntheses their animateurs agreed to share, latest café first, and their count."""
    where = [
        *conditions(filters),
        CafeReport.share_synthesis.is_(True),
        func.length(func.trim(CafeReport.synthesis)) > 0,
    ]
    count = db.session.scalar(select(func.count()).select_from(CafeReport).where(*where))
    query = (
        select(CafeReport)
        .where(*where)
        .order_by(CafeReport.held_on.desc(), CafeReport.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return db.session.scalars(query).all(), int(count)
