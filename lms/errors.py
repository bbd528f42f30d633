"""Error pages in French, for people and for the status code they need."""

from flask import render_template
from flask_wtf.csrf import CSRFError

MESSAGES = {
    400: ("Requête invalide", "La demande envoyée n'a pas pu être comprise."),
    403: ("Accès refusé", "Votre rôle ne permet pas d'accéder à cette page."),
    404: ("Page introuvable", "La page demandée n'existe pas ou a été déplacée."),
    405: ("Méthode non autorisée", "Cette page ne peut pas être utilisée de cette façon."),
    413: ("Envoi trop volumineux", "Le contenu envoyé dépasse la taille autorisée."),
    429: (
        "Trop de tentatives",
        "Vous avez fait trop de tentatives : patientez une minute avant de réessayer.",
    ),
    500: (
        "Erreur inattendue",
        "Une erreur s'est produite de notre côté. Réessayez dans quelques instants.",
    ),
}


def render_error(status: int, detail: str | None = None):
    title, message = MESSAGES[status]
    return render_template(
        "errors/error.html", status=status, page_title=title, message=detail or message
    ), status


def register(app) -> None:
    for status in MESSAGES:
        app.register_error_handler(status, lambda e, status=status: render_error(status))
    app.register_error_handler(
        CSRFError,
        lambda e: render_error(
            400,
            "Le formulaire a expiré ou son jeton de sécurité manque : rechargez la page et recommencez.",
        ),
    )
