from functools import wraps

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required

from certificates import actions, readiness, status
from certificates.forms import ReasonForm
from courses import progress
from lms.accounts.services import find_by_email
from lms.concurrency import submission_of
from lms.extensions import db, limiter
from lms.models import Role
from lms.secrecy import THRESHOLD
from lms.security import roles_required
from quizzes import results
from quizzes.services import quizzes

from . import activity, bp, dashboard, exports, importing, invitations, items, notices, services
from .forms import CohortForm, ImportForm, TrainerForm
from .models import Cohort


def managed(view):
    """Formateurs and admins, and among formateurs only those of this cohort (403 otherwise)."""

    @wraps(view)
    @roles_required(Role.FORMATEUR, Role.ADMIN)
    def wrapped(cohort_id, **kwargs):
        cohort = db.session.get(Cohort, cohort_id) or abort(404)
        if not services.can_manage(current_user, cohort):
            abort(403)
        return view(cohort, **kwargs)

    return wrapped


def _fields(form) -> dict:
    return {
        "name": form.name.data.strip(),
        "description": (form.description.data or "").strip(),
        "territory": (form.territory.data or "").strip(),
        "departement_code": form.departement.data or None,
        "starts_on": form.starts_on.data,
        "ends_on": form.ends_on.data,
    }


# --- cohorts -----------------------------------------------------------------------------------


def _trainer_panel(user):
    return {"cohorts": services.visible_to(user)}


def _status_contacts(user):
    cohorts = services.trainers_of(user)
    return {"cohorts": cohorts} if cohorts else None


@bp.route("/formateur/cohortes/nouvelle", methods=["GET", "POST"])
@roles_required(Role.FORMATEUR, Role.ADMIN)
def create():
    """Formateurs and admins: a new cohort, with its invitation link."""
    form = CohortForm()
    if not form.validate_on_submit():
        return render_template(
            "cohorts/edit.html", page_title="Nouvelle cohorte", form=form, cohort=None
        ), 422 if form.is_submitted() else 200
    # The page sent again (a double click…) lands on the cohort it created: see create_once.
    cohort, created = services.create_once(
        current_user, submission_of(request.form), **_fields(form)
    )
    if created:
        flash("Cohorte créée : partagez son lien d'invitation.", "success")
    else:
        flash("Cette cohorte est déjà créée : partagez son lien d'invitation.", "info")
    return redirect(url_for("cohorts.show", cohort_id=cohort.id))


@bp.route("/formateur/cohortes/<int:cohort_id>/modifier", methods=["GET", "POST"])
@managed
def edit(cohort):
    """The cohort's formateurs: edit it, and add a co-formateur."""
    form = CohortForm(obj=cohort, departement=cohort.departement_code)
    if not form.validate_on_submit():
        return render_template(
            "cohorts/edit.html",
            page_title=f"Modifier « {cohort.name} »",
            form=form,
            cohort=cohort,
            trainer_form=TrainerForm(prefix="co"),
            trainers=services.trainers(cohort),
        ), 422 if form.is_submitted() else 200
    services.update(cohort, **_fields(form))
    flash("Cohorte enregistrée.", "success")
    return redirect(url_for("cohorts.show", cohort_id=cohort.id))


@bp.post("/formateur/cohortes/<int:cohort_id>/formateurs")
@managed
def add_trainer(cohort):
    """The cohort's formateurs: share it with a co-formateur."""
    form = TrainerForm(prefix="co")
    person = find_by_email(form.email.data or "") if form.validate_on_submit() else None
    try:
        if not person:
            raise ValueError("Aucun compte ne correspond à cette adresse.")
        services.add_trainer(cohort, person)
    except ValueError as error:
        flash(str(error), "error")
        return redirect(url_for("cohorts.edit", cohort_id=cohort.id)), 303
    flash(f"{person.full_name} co-anime désormais la cohorte.", "success")
    return redirect(url_for("cohorts.edit", cohort_id=cohort.id))


@bp.get("/formateur/cohortes/<int:cohort_id>")
@managed
def show(cohort):
    """The cohort's formateurs: the learners × modules matrix, filters, sorting, totals."""
    rows = dashboard.load(cohort)
    choice = request.args.get("filtre", "")
    sort = request.args.get("tri", "nom")
    descending = request.args.get("ordre") == "desc"
    shown = dashboard.arrange(rows, choice, sort, descending)
    return render_template(
        "cohorts/show.html",
        page_title=cohort.name,
        cohort=cohort,
        rows=shown,
        totals=dashboard.totals(rows),
        modules=progress.catalogue().modules,
        labels=status.LABELS,
        choice=choice,
        sort=sort,
        descending=descending,
        stuck=[r for r in rows if r.stuck],
        invite_url=current_app.config["BASE_URL"]
        + url_for("cohorts.join", code=cohort.invite_code),
        validation=current_app.config["REQUIRE_TRAINER_VALIDATION"],
        emails=notices.progress(cohort.id),
        waiting=invitations.waiting(cohort.id),
    )


@bp.get("/formateur/cohortes/<int:cohort_id>/questions")
@managed
def questions(cohort):
    """The cohort's formateurs: per quiz question, answers and share right, weakest first."""
    return render_template(
        "cohorts/questions.html",
        page_title=f"Résultats par question — {cohort.name}",
        cohort=cohort,
        results=items.by_quiz(cohort),
        small_cell=THRESHOLD,
    )


# --- one learner -------------------------------------------------------------------------------


def _learner(cohort, user_id):
    return services.member(cohort, user_id) or abort(404)


@bp.get("/formateur/cohortes/<int:cohort_id>/apprenants/<int:user_id>")
@managed
def learner(cohort, user_id):
    """The cohort's formateurs: one learner's progress, attempts, readiness, status and activity."""
    person = _learner(cohort, user_id)
    return _learner_page(cohort, person, ReasonForm())


def _learner_page(cohort, person, form, code=200):
    return render_template(
        "cohorts/learner.html",
        page_title=person.full_name,
        cohort=cohort,
        person=person,
        form=form,
        states=progress.overview(person),
        attempts=results.submitted_attempts(person),
        quizzes=quizzes(),
        readiness=readiness.readiness(),
        answers=readiness.latest(person),
        status=status.status_of(person),
        labels=status.LABELS,
        criteria=status.criteria(person),
        history=status.history(person),
        people=status.actor_names(status.history(person)),
        stream=activity.stream(person),
    ), code


@bp.post("/formateur/cohortes/<int:cohort_id>/apprenants/<int:user_id>/<action>")
@managed
def act(cohort, user_id, action):
    """The cohort's formateurs: validate, revoke or restore a learner's status."""
    person = _learner(cohort, user_id)
    back = url_for("cohorts.learner", cohort_id=cohort.id, user_id=person.id)
    return actions.answer(
        person, action, back, lambda form, code: _learner_page(cohort, person, form, code)
    )


# --- reminders ---------------------------------------------------------------------------------


def _reminder_limit() -> str:
    return current_app.config.get("REMINDER_RATE_LIMIT", "10 per hour")


def _sender() -> str:
    # Per formateur, wherever they click from; an anonymous request counts by its address.
    if current_user.is_authenticated:
        return f"formateur:{current_user.id}"
    return get_remote_address()


@bp.post("/formateur/cohortes/<int:cohort_id>/relances")
@limiter.limit(_reminder_limit, key_func=_sender)
@managed
def remind(cohort):
    """The cohort's formateurs: one click e-mails every inactive learner (once a week at most)."""
    try:
        sent = services.remind(cohort, current_user, dashboard.to_remind(cohort))
    except services.RemindersInterrupted as error:
        flash(str(error), "error")
        return redirect(url_for("cohorts.show", cohort_id=cohort.id, filtre="bloques"))
    flash(
        f"{sent} relance(s) envoyée(s)."
        if sent
        else "Personne à relancer : les personnes inactives ont déjà été relancées cette semaine.",
        "info",
    )
    return redirect(url_for("cohorts.show", cohort_id=cohort.id, filtre="bloques"))


# --- import ------------------------------------------------------------------------------------


@bp.route("/formateur/cohortes/<int:cohort_id>/import", methods=["GET", "POST"])
@managed
def import_file(cohort):
    """The cohort's formateurs: upload a CSV, see every line checked before anything changes."""
    form = ImportForm()
    context = _import_context(cohort, form)
    if not form.validate_on_submit():
        return render_template(
            "cohorts/import.html", **context
        ), 422 if form.is_submitted() else 200
    try:
        lines = importing.parse(form.file.data.read(), cohort)
    except importing.ImportRefused as error:
        return render_template("cohorts/import.html", error=str(error), **context), 422
    ok = all(not line.errors for line in lines)
    return render_template(
        "cohorts/import.html",
        lines=lines,
        ok=ok,
        token=importing.sign(cohort, lines) if ok else None,
        **context,
    ), 200 if ok else 422


def _import_context(cohort, form) -> dict:
    return {
        "page_title": f"Importer des apprenants — {cohort.name}",
        "cohort": cohort,
        "form": form,
    }


@bp.post("/formateur/cohortes/<int:cohort_id>/import/confirmer")
@managed
def import_confirm(cohort):
    """The cohort's formateurs: commit a previewed import, all lines or none."""
    try:
        rows = importing.unsign(request.form.get("token", ""), cohort)
    except importing.ImportRefused as error:
        flash(str(error), "error")
        return redirect(url_for("cohorts.import_file", cohort_id=cohort.id)), 303
    try:
        result = importing.commit(cohort, request.form.get("token", ""), rows, current_user)
    except importing.ImportRefused as error:
        context = _import_context(cohort, ImportForm())
        return render_template("cohorts/import.html", error=str(error), **context), 409
    if result.again:  # a double click: the first confirmation imported it, and sends its e-mails
        summary = _import_summary(result.created, result.invited)
        flash(f"Cet import était déjà enregistré. {summary}", "info")
        return redirect(url_for("cohorts.show", cohort_id=cohort.id))
    flash(_import_summary(result.created, result.invited), "success")
    _send_import_emails(cohort)
    return redirect(url_for("cohorts.show", cohort_id=cohort.id))


def _import_summary(created: int, invited: int) -> str:
    return (
        f"Import terminé : {created} nouveau(x) compte(s) inscrit(s), chacun invité par e-mail "
        f"à choisir son mot de passe ; {invited} compte(s) existant(s) invité(s) à rejoindre "
        "la cohorte : ils n'en feront partie qu'après avoir accepté."
    )


def _send_import_emails(cohort) -> None:
    """The first e-mails now, the rest in the background: the page shows their progress."""
    _, interrupted = notices.send_pending(cohort.id, limit=notices.IMMEDIATE)
    if interrupted:
        flash(
            "Le serveur d'e-mails a refusé un envoi : les e-mails restants sont gardés et "
            "partiront quand vous cliquerez sur « Reprendre l'envoi ».",
            "warning",
        )
    elif notices.progress(cohort.id):
        notices.send_in_background(cohort.id)


@bp.post("/formateur/cohortes/<int:cohort_id>/import/envois")
@managed
def resume_emails(cohort):
    """The cohort's formateurs: send again the e-mails an import still owes (mail server back)."""
    _send_import_emails(cohort)
    return redirect(url_for("cohorts.show", cohort_id=cohort.id))


# --- exports -----------------------------------------------------------------------------------


@bp.get("/formateur/cohortes/<int:cohort_id>/export.csv")
@managed
def export_csv(cohort):
    """The cohort's formateurs: one line per learner, stable columns."""
    return exports.as_csv(cohort)


@bp.get("/formateur/cohortes/<int:cohort_id>/export.xlsx")
@managed
def export_xlsx(cohort):
    """The cohort's formateurs: the same export, as a spreadsheet."""
    return exports.as_xlsx(cohort)


# --- joining -----------------------------------------------------------------------------------


@bp.route("/cohortes/rejoindre/<code>", methods=["GET", "POST"])
def join(code):
    """Anyone with the link: join the cohort (after creating an account or logging in)."""
    cohort = services.by_invite(code) or abort(404)
    if not current_user.is_authenticated:
        return render_template(
            "cohorts/join.html",
            page_title=f"Rejoindre « {cohort.name} »",
            cohort=cohort,
            next=request.path,
        )
    if request.method == "POST":
        joined = services.join(cohort, current_user)
        flash(
            f"Vous avez rejoint la cohorte « {cohort.name} »."
            if joined
            else f"Vous faites déjà partie de la cohorte « {cohort.name} ».",
            "success",
        )
        return redirect(url_for("pages.dashboard"))
    return render_template(
        "cohorts/join.html",
        page_title=f"Rejoindre « {cohort.name} »",
        cohort=cohort,
        member=services.is_member(cohort, current_user),
    )


# --- the learner's side: invitations, cohorts joined -------------------------------------------


def _dashboard_panel(user):
    pending, joined = invitations.pending(user), invitations.joined(user)
    return {"pending": pending, "joined": joined} if pending or joined else None


@bp.get("/mes-cohortes")
@login_required
def mine():
    """Any logged-in person: the invitations awaiting their answer, the cohorts they joined."""
    return render_template(
        "cohorts/mine.html",
        page_title="Mes cohortes",
        pending=invitations.pending(current_user),
        joined=invitations.joined(current_user),
    )


@bp.post("/mes-cohortes/<int:cohort_id>/<any(accepter, refuser):answer>")
@login_required
def respond(cohort_id, answer):
    """The invited person only: accept the invitation (and join the cohort), or decline it."""
    accept = answer == "accepter"
    cohort = invitations.answer(cohort_id, current_user, accept=accept)
    if not cohort:
        flash("Cette invitation n'existe pas ou a déjà reçu une réponse.", "error")
        return redirect(url_for("cohorts.mine")), 303
    flash(
        f"Vous avez rejoint la cohorte « {cohort.name} »."
        if accept
        else f"Invitation à la cohorte « {cohort.name} » refusée : rien n'a changé.",
        "success",
    )
    return redirect(url_for("cohorts.mine"))


@bp.post("/mes-cohortes/<int:cohort_id>/quitter")
@login_required
def leave(cohort_id):
    """A member only: leave the cohort; its formateurs no longer see their progress."""
    cohort = invitations.leave(cohort_id, current_user)
    if not cohort:
        flash("Vous ne faites pas partie de cette cohorte.", "error")
        return redirect(url_for("cohorts.mine")), 303
    flash(
        f"Vous avez quitté la cohorte « {cohort.name} » : ses formateurs ne voient plus "
        "votre parcours.",
        "success",
    )
    return redirect(url_for("cohorts.mine"))
