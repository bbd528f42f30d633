"""The next step once every lesson is done: the first quiz not passed yet (hooks.NEXT_STEP)."""

from flask import url_for

from courses import progress

from . import services


def next_quiz(user) -> dict | None:
    for module in progress.catalogue().modules:
        if not services.has_passed(user, module):
            return {
                "text": f"Prochaine étape : le quiz du module {module.order} — {module.title}.",
                "label": "Passer le quiz",
                "url": url_for("quizzes.quiz", module_slug=module.slug),
            }
    return None
