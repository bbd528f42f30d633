"""Names and Role Provisioning Services: the LMS course's roster, imported into its cohort."""

from cohorts import services as cohorts
from lms.extensions import db

from . import tool
from .models import Context, Platform
from .people import arriving, cohort_of

MEMBERS_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"


def members(platform: Platform, context: Context) -> list[dict]:
    """Every member, following the `next` links of a paged answer."""
    url, found = context.memberships_url, []
    while url:
        answer = tool.service(platform, "GET", url, [tool.SCOPES["nrps"]], MEMBERS_TYPE)
        found += answer.json().get("members", [])
        url = answer.links.get("next", {}).get("url") or answer.json().get("next")
    return found


def import_roster(context: Context) -> tuple[int, int]:
    """(learners, formateurs) the LMS lists as active, now in the cohort."""
    platform = db.session.get(Platform, context.platform_id)
    cohort = cohort_of(context)
    learners = trainers = 0
    for member in members(platform, context):
        if member.get("status", "Active") != "Active" or not member.get("user_id"):
            continue
        instructor = tool.is_instructor({tool.CLAIM + "roles": member.get("roles", [])})
        person = {**member, "sub": str(member["user_id"])}
        user = arriving(platform.issuer, person, instructor)
        if instructor:
            cohorts.add_trainer(cohort, user)
            trainers += 1
        else:
            cohorts.join(cohort, user, source="lti")
            learners += 1
    return learners, trainers
