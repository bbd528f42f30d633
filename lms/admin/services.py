import logging

from sqlalchemy import func, select

from ..extensions import db
from ..models import Role, User

log = logging.getLogger(__name__)


def set_role(user: User, role: str) -> None:
    """Grant a role; the only way a person becomes formateur or admin."""
    user.role = Role(role).value
    db.session.commit()
    log.info("rôle %s attribué à l'utilisateur %s", role, user.id)


def count_by_role() -> dict[str, int]:
    rows = db.session.execute(select(User.role, func.count()).group_by(User.role))
    counts = dict(rows.all())
    return {role.value: counts.get(role.value, 0) for role in Role}


def search_users(query: str, page: int):
    statement = select(User).order_by(User.last_name, User.first_name)
    if query:
        pattern = f"%{query.lower()}%"
        statement = statement.where(
            func.lower(User.email + " " + User.first_name + " " + User.last_name).like(pattern)
        )
    return db.paginate(statement, page=page, per_page=25, error_out=False)
