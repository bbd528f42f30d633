"""Error pages in French, for people and for the status code they need.

They must render whatever failed, the database included: the session is rolled back first, and
a page that cannot load the visitor (a database that is down) is rendered as for an anonymous one.
"""

import logging

from flask import g, render_template
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException

from .extensions import db, login_manager
from .mail import MailUnavailable

log = logging.getLogger(__name__)

MESSAGES = {
    400: ("Requête invalide", "La demande envoyée n'a pas pu être comprise."),
    403: ("Accès refusé", "Votre rôle ne permet pas d'accéder à cette page."),
    404: ("Page introuvable", "La page demandée n'existe pas ou a été déplacée."),
    405: ("Méthode non autorisée", "Cette page ne peut pas être utilisée de cette façon."),
    413: ("Envoi trop volumineux", "Le contenu envoyé dépasse la taille autorisée."),
    414: ("Adresse trop longue", "L'adresse demandée est trop longue pour être traitée."),
    415: (
        "Format non accepté",
        "Cette page attend un formulaire : envoyez-le depuis la page elle-même.",
    ),
    429: (
        "Trop de tentatives",
        "Vous avez fait trop de tentatives : patientez une minute avant de réessayer.",
    ),
    500: (
        "Erreur inattendue",
        "Une erreur s'est produite de notre côté. Réessayez dans quelques instants.",
    ),
    503: (
        "Service momentanément indisponible",
        "La plateforme ne peut pas répondre pour le moment. Réessayez dans quelques minutes : "
        "ce que vous aviez enregistré est conservé.",
    ),
}
MAIL_DOWN = (
    "Envoi impossible pour le moment",
    "Le serveur d'e-mails ne répond pas : rien n'a été envoyé. Réessayez dans quelques minutes.",
)
RETRY_AFTER = 30  # seconds: what a database restart takes, give or take


def render_error(status: int, detail: str | None = None, title: str | None = None):
    default_title, message = MESSAGES.get(status, MESSAGES[400] if status < 500 else MESSAGES[500])
    title = title or default_title
    _reset_session()  # a failed transaction must not fail the page that reports it
    context = dict(status=status, page_title=title, message=detail or message)
    try:
        page = render_template("errors/error.html", **context)
    except (DBAPIError, OperationalError):
        _reset_session()
        g._login_user = login_manager.anonymous_user()  # who it is needs the database
        page = render_template("errors/error.html", **context)
    headers = {"Retry-After": str(RETRY_AFTER)} if status == 503 else {}
    return page, status, headers


PROXY_PAGES = (400, 413, 414, 503)  # what the reverse proxy answers by itself


def write_static_pages(folder) -> list:
    """The French pages the reverse proxy shows for the errors it answers itself."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for status in PROXY_PAGES:
        title, message = MESSAGES[status]
        page = render_template(
            "errors/error.html", status=status, page_title=title, message=message
        )
        written.append(folder / f"{status}.html")
        written[-1].write_text(page, encoding="utf-8")
    return written


def _reset_session() -> None:
    try:
        db.session.rollback()
    except DBAPIError:  # the connection died with the database: drop it, the page goes on
        db.session().invalidate()


def _http_error(error: HTTPException):
    # A view may say what was wrong (abort(400, "…")); Werkzeug's own texts are English.
    detail = error.description if error.description != type(error).description else None
    return render_error(error.code, detail)


def _database_error(error: DBAPIError):
    """The database is unreachable or was restarted: 503, the visitor may simply retry."""
    if isinstance(error, OperationalError) or error.connection_invalidated:
        log.warning("base de données indisponible : %s", type(error.orig).__name__)
        return render_error(503)
    log.exception("erreur de base de données")
    return render_error(500)


def _mail_error(error):
    title, message = MAIL_DOWN
    return render_error(503, message, title)


def close_session(error=None) -> None:
    """Ends the request's session before Flask-SQLAlchemy does (teardowns run last-first).

    A database restarted during the request makes the final ROLLBACK fail; in the teardown,
    after the response is built, that would turn a page already rendered into the WSGI
    server's bare 500. The dead connection is dropped instead.
    """
    try:
        db.session.close()
    except DBAPIError:
        db.session().invalidate()
        log.warning("connexion à la base perdue en fin de requête")


def register(app) -> None:
    """After the database is bound: `close_session` must run before its own teardown."""
    app.teardown_appcontext(close_session)
    app.register_error_handler(HTTPException, _http_error)  # every 4xx, in French
    for status in (500, 503):
        app.register_error_handler(status, _server_error(status))
    app.register_error_handler(DBAPIError, _database_error)
    app.register_error_handler(MailUnavailable, _mail_error)
    app.register_error_handler(
        CSRFError,
        lambda e: render_error(
            400,
            "Le formulaire a expiré ou son jeton de sécurité manque : rechargez la page et recommencez.",
        ),
    )


def _server_error(status: int):
    return lambda error: render_error(status)
