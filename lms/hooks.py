"""The one plug-in contract: every way a feature adds to the platform or to another feature.

A feature connects its receivers in its `init_app(app)`, never when a module is imported:
`hooks.connect(app, hooks.DASHBOARD, panel, template="courses/_dashboard_panel.html")`.
The platform (or a lower feature) asks the hook for what the installed features give, and so
never names a feature above it. Receivers live in `app.extensions["hooks"]`: each app has its
own, so test apps never pile up receivers and one app's features do not leak into another.

Each hook below says what a receiver gets and what it returns; `connect` takes the extra
facts a hook needs (a panel's template, an export's section, a step's order…).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Flask, current_app


@dataclass(frozen=True)
class Hook:
    name: str
    doc: str = field(repr=False)


# Panels: receiver(user, **page) -> dict | None, the context of the `template` given at
# connect time; None hides the panel. The page renders them in connection order.
DASHBOARD = Hook("dashboard", "Panels of « Mon tableau de bord »: receiver(user) -> context.")
TRAINER_HOME = Hook("trainer_home", "Panels of the Espace formateur: receiver(user) -> context.")
MODULE = Hook("module", "Panels of a module page: receiver(user, module=Module) -> context.")
STATUS = Hook("status", "Panels of « Mon statut »: receiver(user) -> context.")
STATUS_CONTACTS = Hook(
    "status_contacts", "Whom to ask, on « Mon statut » (a cohort's formateurs): receiver(user)."
)
SIGN_IN = Hook(
    "sign_in",
    "Other ways in, on the sign-in and sign-up pages (ProConnect's button): "
    "receiver(user) -> context; user is None there.",
)
ACCOUNT = Hook("account", "Panels of « Mon compte »: receiver(user) -> context.")
LISTING = Hook(
    "listing",
    "Panels of an annuaire listing's public page (the agenda: the animateur's cafés): "
    "receiver(user, listing=Listing) -> context; `user` is the visitor, maybe anonymous.",
)
COHORT_PAGE = Hook(
    "cohort_page",
    "Panels of a cohort's page for its formateurs (the statistics: the cafés its certified "
    "animateurs held): receiver(user, cohort=Cohort) -> context.",
)
PANELS = (
    DASHBOARD,
    TRAINER_HOME,
    MODULE,
    STATUS,
    STATUS_CONTACTS,
    SIGN_IN,
    ACCOUNT,
    LISTING,
    COHORT_PAGE,
)

MENU = Hook(
    "menu",
    "An entry of the main menu: connect(app, MENU, None, endpoint=, label=, roles=, order=, "
    "shown_to=); roles None = everybody; shown_to(user) -> bool, if given, must say yes too "
    "(a référent's territory, which is no role); entries are shown by `order`.",
)
PERSONAL_DATA = Hook(
    "personal_data",
    "A section of « télécharger mes données »: receiver(user) -> JSON-ready data, exported "
    "under the `section` given at connect time; `tables=` names the tables it reads the "
    "person's rows from (tests/lms/test_personal_data.py checks every such table is named).",
)
ACCOUNT_ERASING = Hook(
    "account_erasing",
    "Called inside the transaction that erases an account, before its rows go: "
    "receiver(user) -> None may keep what needs no identifier (the statistics' anonymous "
    "facts); it is committed with the erasure or not at all, and an exception stops it. "
    "Receivers run by the `order` given at connect time (default 100), so that one reads the "
    "person's links (the statistics, order 10) before another cuts them (the café reports).",
)
DEMO_DATA = Hook(
    "demo_data",
    "A step of `flask lms demo`: receiver(find_user) -> None, idempotent; find_user(email) "
    "returns a demo account. Steps run by the `order` given at connect time (default 100), "
    "so a step may rely on the people an earlier one created.",
)
COMPLETION_REQUIREMENT = Hook(
    "completion_requirement",
    "A condition for a module to be complete, besides its lessons: "
    "receiver(user, module) -> bool (the quizzes: its quiz passed).",
)
COHORT_OF = Hook(
    "cohort_of",
    "Which cohort a person is in, for xAPI statements' context: receiver(user) -> "
    "cohort or None. The first receiver that answers is used.",
)
ADMIN_LINKS = Hook(
    "admin_links",
    "A button of the Administration page: connect(app, ADMIN_LINKS, None, endpoint=, label=).",
)
CERTIFIED_NOTICE = Hook(
    "certified_notice",
    "A line of the e-mail that announces the animateur status: receiver(user) -> str | None "
    "(the annuaire: how to join it).",
)
LEARNING_PROGRESSED = Hook(
    "learning_progressed",
    "Sent after a committed change that can affect a person's eligibility (a lesson or module "
    "completed, a quiz passed, a readiness answer): receiver(user) -> None.",
)
STATUS_CHANGED = Hook(
    "status_changed",
    "Sent after a committed change of a person's animateur status (granted, revoked, "
    "restored), whoever made it: receiver(user) -> None (LTI sends the status line again).",
)
AWAITING_VALIDATION = Hook(
    "awaiting_validation",
    "Sent once, when a person has met every criterion but the formateur's validation "
    "(REQUIRE_TRAINER_VALIDATION), so that someone is told: receiver(user) -> None.",
)
NEXT_STEP = Hook(
    "next_step",
    "What comes once every lesson is done, for the dashboard's « Prochaine étape »: "
    "receiver(user) -> {'text', 'label', 'url'} | None; asked by the `order` given at connect "
    "time (default 100), the first answer is shown (a quiz to pass, the final readiness, "
    "the annuaire listing, the agenda of cafés, the status page).",
)
USER_FACT = Hook(
    "user_fact",
    "A fact about the signed-in person that pages ask often (the menu's « is this person a "
    "référent? », the cohort a statement carries), read in the user load's one query instead "
    "of a query of its own: receiver(user_id) -> a SQL scalar about the person whose id column "
    "is given; its `name` at connect time. lms.models.user_facts(user) gives the values as the "
    "request found them: a request that changes one and reads it again must ask the database.",
)
SIGNED_OUT = Hook(
    "signed_out",
    "After the local session is cleared on log-out: receiver(ended) -> a response or None; "
    "ended is what the session held. A sign-in made elsewhere returns the redirect that ends "
    "it there too (ProConnect's end-session endpoint); the first response given is sent.",
)
ALL = (
    *PANELS,
    MENU,
    PERSONAL_DATA,
    ACCOUNT_ERASING,
    DEMO_DATA,
    COMPLETION_REQUIREMENT,
    COHORT_OF,
    ADMIN_LINKS,
    CERTIFIED_NOTICE,
    LEARNING_PROGRESSED,
    STATUS_CHANGED,
    AWAITING_VALIDATION,
    NEXT_STEP,
    USER_FACT,
    SIGNED_OUT,
)


class Registry:
    """One app's receivers, by hook, in connection order, each with its connect-time facts."""

    def __init__(self) -> None:
        self._receivers: dict[str, list[tuple[Callable | None, dict]]] = {h.name: [] for h in ALL}

    def connect(self, hook: Hook, receiver: Callable | None, facts: dict) -> None:
        entries = self._receivers[hook.name]
        if (receiver, facts) not in entries:  # idempotent: init_app may run twice
            entries.append((receiver, facts))

    def disconnect(self, hook: Hook, receiver: Callable) -> None:
        entries = self._receivers[hook.name]
        entries[:] = [entry for entry in entries if entry[0] is not receiver]

    def entries(self, hook: Hook) -> list[tuple[Callable | None, dict]]:
        return list(self._receivers[hook.name])


def init_app(app: Flask) -> None:
    app.extensions["hooks"] = Registry()


def connect(app: Flask, hook: Hook, receiver: Callable | None, **facts) -> Callable | None:
    app.extensions["hooks"].connect(hook, receiver, facts)
    return receiver


def disconnect(app: Flask, hook: Hook, receiver: Callable) -> None:
    app.extensions["hooks"].disconnect(hook, receiver)


def entries(hook: Hook, app: Flask | None = None) -> list[tuple[Callable | None, dict]]:
    return (app or current_app).extensions["hooks"].entries(hook)


def receivers(hook: Hook) -> list[Callable]:
    return [receiver for receiver, _ in entries(hook)]


def send(hook: Hook, **arguments) -> None:
    """Call every receiver of an event hook (LEARNING_PROGRESSED, ACCOUNT_ERASING…), by the
    `order` given at connect time (default 100), then in connection order."""
    for receiver, _ in sorted(entries(hook), key=lambda entry: entry[1].get("order", 100)):
        receiver(**arguments)


def facts(hook: Hook) -> list[dict]:
    """What was connected with a hook whose receiver is None (ADMIN_LINKS)."""
    return [facts for _, facts in entries(hook)]


def render_panels(hook: Hook, user, **page) -> list[tuple[str, dict]]:
    """The (template, context) pairs a page shows for a panel hook; None contexts are hidden."""
    filled = [(facts["template"], receiver(user, **page)) for receiver, facts in entries(hook)]
    return [(template, context) for template, context in filled if context is not None]


def personal_data(user) -> dict:
    return {facts["section"]: receiver(user) for receiver, facts in entries(PERSONAL_DATA)}


def next_step(user) -> dict | None:
    """The first answer of the NEXT_STEP receivers, by their `order`."""
    ordered = sorted(entries(NEXT_STEP), key=lambda entry: entry[1].get("order", 100))
    return next((step for receiver, _ in ordered if (step := receiver(user))), None)


def demo_steps(app: Flask | None = None) -> list[Callable]:
    ordered = sorted(entries(DEMO_DATA, app), key=lambda entry: entry[1].get("order", 100))
    return [receiver for receiver, _ in ordered]


def menu() -> list[dict]:
    return sorted((facts for _, facts in entries(MENU)), key=lambda facts: facts["order"])


def cohort_of(user):
    for receiver in receivers(COHORT_OF):
        return receiver(user)
    return None
