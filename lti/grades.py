"""Assignment and Grade Services: what a learner achieved, posted to their LMS gradebook.

One line item per module (its best quiz score, out of 100, and whether it is completed) and one
for the animateur status. A change queues a score in the outbox (lti_grade_outbox), in the
transaction's wake; `flask lti notes` delivers it, and retries with backoff what the platform
could not take, as the xAPI forwarder does.
"""

import logging
from datetime import UTC, timedelta

from sqlalchemy import select

from certificates import status
from courses import progress
from lms.extensions import db
from lms.models import User, utcnow
from quizzes import services as quizzes

from . import tool
from .models import Context, GradeDelivery, Identity, LineItem, Platform
from .people import contexts_of

log = logging.getLogger(__name__)
STATUS_ITEM = "statut"
RETRY_BASE, RETRY_MAX = 30, 6 * 3600  # seconds
SCORE_TYPE = "application/vnd.ims.lis.v1.score+json"
LINEITEM_TYPE = "application/vnd.ims.lis.v2.lineitem+json"
LINEITEMS_TYPE = "application/vnd.ims.lis.v2.lineitemcontainer+json"


def results_of(user: User) -> dict[str, dict]:
    """resource id -> (score out of 100, completed): what each line item should say."""
    best = quizzes.best_scores(user)
    results = {
        state.module.slug: {
            "score": round(best.get(state.module.slug, 100.0 if state.completed else 0.0), 2),
            "completed": state.completed,
            "label": state.module.title,
        }
        for state in progress.overview(user)
    }
    current = status.status_of(user)
    results[STATUS_ITEM] = {
        "score": 100.0 if current == status.CERTIFIED else 0.0,
        "completed": current == status.CERTIFIED,
        "label": "Statut d'animateur·rice Café IA : " + status.LABELS.get(current, current),
    }
    return results


def queue_for(user: User) -> None:
    """LEARNING_PROGRESSED and STATUS_CHANGED: queue the results that changed, for every LMS
    course of theirs."""
    for context in contexts_of(user):
        if context.lineitems_url:
            queue_changes(context, user)


def queue_changes(context: Context, user: User) -> int:
    queued = 0
    for resource_id, result in results_of(user).items():
        if _last_queued(context, user, resource_id) != result:
            db.session.add(
                GradeDelivery(
                    context_id=context.id, user_id=user.id, resource_id=resource_id, score=result
                )
            )
            queued += 1
    db.session.commit()
    return queued


def _last_queued(context, user, resource_id) -> dict | None:
    return db.session.scalar(
        select(GradeDelivery.score)
        .where(
            GradeDelivery.context_id == context.id,
            GradeDelivery.user_id == user.id,
            GradeDelivery.resource_id == resource_id,
            GradeDelivery.state != "rejected",
        )
        .order_by(GradeDelivery.id.desc())
        .limit(1)
    )


def deliver_due() -> dict[str, int]:
    """Post every due score, oldest first; a platform that fails waits with backoff."""
    report = {"delivered": 0, "rejected": 0, "deferred": 0}
    due = db.session.scalars(
        select(GradeDelivery)
        .where(GradeDelivery.state == "pending", GradeDelivery.next_attempt_at <= utcnow())
        .order_by(GradeDelivery.id)
    ).all()
    for row in due:
        report[_deliver(row)] += 1
        db.session.commit()
    return report


def _deliver(row: GradeDelivery) -> str:
    row.attempts += 1
    try:
        post_score(row)
    except tool.ServiceRefused as error:
        row.state, row.last_error = "rejected", str(error)
        log.warning("note LTI %s refusée : %s", row.id, error)
        return "rejected"
    except (tool.ServiceUnavailable, KeyError, ValueError) as error:
        wait = min(RETRY_BASE * 2 ** (row.attempts - 1), RETRY_MAX)
        row.next_attempt_at, row.last_error = utcnow() + timedelta(seconds=wait), str(error)
        return "deferred"
    row.state, row.delivered_at, row.last_error = "delivered", utcnow(), None
    return "delivered"


def post_score(row: GradeDelivery) -> None:
    context = db.session.get(Context, row.context_id)
    platform = db.session.get(Platform, context.platform_id)
    sub = db.session.scalar(
        select(Identity.sub).where(
            Identity.user_id == row.user_id, Identity.issuer == platform.issuer
        )
    )
    if sub is None:
        raise tool.ServiceRefused("cette personne n'est pas connue de la plateforme")
    item_url = line_item(platform, context, row.resource_id, row.score["label"])
    result = row.score
    tool.service(
        platform,
        "POST",
        _under(item_url, "scores"),
        [tool.SCOPES["score"]],
        "application/json",
        json={
            "userId": sub,
            "scoreGiven": result["score"],
            "scoreMaximum": 100,
            "activityProgress": "Completed" if result["completed"] else "InProgress",
            "gradingProgress": "FullyGraded" if result["completed"] else "Pending",
            "timestamp": row.created_at.astimezone(UTC).isoformat(),
        },
        content_type=SCORE_TYPE,
    )


def line_item(platform: Platform, context: Context, resource_id: str, label: str) -> str:
    """The line item's URL: known, found on the platform by its resourceId, or created."""
    known = db.session.scalar(
        select(LineItem.url).where(
            LineItem.context_id == context.id, LineItem.resource_id == resource_id
        )
    )
    if known:
        return known
    scopes = [tool.SCOPES["lineitem"]]
    found = tool.service(
        platform,
        "GET",
        context.lineitems_url,
        scopes,
        LINEITEMS_TYPE,
        params={"resource_id": resource_id},
    ).json()
    items = found if isinstance(found, list) else found.get("content", found.get("lineItems", []))
    existing = next((item for item in items if item.get("resourceId") == resource_id), None)
    if existing is None:
        existing = tool.service(
            platform,
            "POST",
            context.lineitems_url,
            scopes,
            LINEITEM_TYPE,
            json={"label": label, "scoreMaximum": 100, "resourceId": resource_id, "tag": "cafeia"},
            content_type=LINEITEM_TYPE,
        ).json()
    db.session.add(LineItem(context_id=context.id, resource_id=resource_id, url=existing["id"]))
    db.session.flush()
    return existing["id"]


def _under(item_url: str, service: str) -> str:
    """The scores (or results) endpoint: the line item's URL, its path followed by /scores."""
    base, _, query = item_url.partition("?")
    return f"{base.rstrip('/')}/{service}" + (f"?{query}" if query else "")


def outbox_counts() -> dict[str, int]:
    rows = db.session.execute(
        select(GradeDelivery.state, db.func.count()).group_by(GradeDelivery.state)
    ).all()
    return {state: count for state, count in rows}
