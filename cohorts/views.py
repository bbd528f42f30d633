from functools import wraps

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required

from certificates import actions, readiness, status
from certificates.forms import ReasonForm
from courses import progress
from lms import hooks
from lms.accounts.forms import ResetPasswordForm
from lms.accounts.services import change_password, find_by_email
from lms.concurrency import submission_of
from lms.extensions import db, limiter
from lms.models import Role
from lms.secrecy import THRESHOLD
from lms.security import roles_required
from quizzes import results
from quizzes.services import quizzes

from . import activity, bp, dashboard, exports, importing, invitations, items, notices, services
from . import welcome as welcome_links
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


@bp.context_processor
def _welcome_days() -> dict:
    """How long a first-password invitation lasts, as the cohort pages say it."""
    return {"welcome_days": welcome_links.max_age() // 86400}


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
    return {
        "cohorts": services.visible_to(user),
        "archived": services.visible_to(user, archived=True),
    }


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


@bp.post("/formateur/cohortes/<int:cohort_id>/formateurs/<int:user_id>/retrait")
@managed
def remove_trainer(cohort, user_id):
    """The cohort's formateurs: a co-formateur stops running it (never the last one)."""
    try:
        person = services.remove_trainer(cohort, user_id)
    except ValueError as error:
        flash(str(error), "error")
        return redirect(url_for("cohorts.edit", cohort_id=cohort.id)), 303
    flash(f"{person.full_name} n'anime plus la cohorte « {cohort.name} ».", "success")
    if person.id == current_user.id and not services.can_manage(current_user, cohort):
        return redirect(url_for("pages.trainer_home"))
    return redirect(url_for("cohorts.edit", cohort_id=cohort.id))


# --- the invitation link, archiving ------------------------------------------------------------


def _back(cohort):
    return redirect(url_for("cohorts.show", cohort_id=cohort.id))


@bp.post("/formateur/cohortes/<int:cohort_id>/lien/nouveau")
@managed
def regenerate_link(cohort):
    """The cohort's formateurs: a new invitation link; the old one stops working."""
    if cohort.archived:
        flash(ARCHIVED, "error")
        return _back(cohort), 303
    if services.regenerate_link(cohort, request.form.get("lien", "")):
        flash(
            "Nouveau lien d'invitation créé : l'ancien ne fonctionne plus. Les personnes déjà "
            "inscrites restent dans la cohorte.",
            "success",
        )
    else:  # the page sent twice, or an older page: the link shown now is the one to share
        flash("Le lien a déjà été remplacé : partagez celui affiché ci-dessous.", "info")
    return _back(cohort)


@bp.post("/formateur/cohortes/<int:cohort_id>/lien/fermeture")
@managed
def close_link(cohort):
    """The cohort's formateurs: nobody joins by the link until a new one is made."""
    services.close_link(cohort)
    flash(
        "Lien d'invitation fermé : plus personne ne peut rejoindre la cohorte par ce lien. "
        "Créez un nouveau lien pour inviter à nouveau.",
        "success",
    )
    return _back(cohort)


ARCHIVED = (
    "Cette cohorte est archivée : restaurez-la pour inviter, importer ou relancer des apprenants."
)


@bp.post("/formateur/cohortes/<int:cohort_id>/archivage")
@managed
def archive(cohort):
    """The cohort's formateurs: out of the active list, still readable; nobody joins it."""
    services.archive(cohort)
    flash(
        f"Cohorte « {cohort.name} » archivée : elle reste consultable dans « Cohortes "
        "archivées » et peut être restaurée ; son lien ne permet plus de la rejoindre.",
        "success",
    )
    return _back(cohort)


@bp.post("/formateur/cohortes/<int:cohort_id>/restauration")
@managed
def unarchive(cohort):
    """The cohort's formateurs: back in the active list (its link, if open, works again)."""
    services.unarchive(cohort)
    flash(f"Cohorte « {cohort.name} » restaurée.", "success")
    return _back(cohort)


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
        never_started=sum(row.never_started for row in rows),
        validation=current_app.config["REQUIRE_TRAINER_VALIDATION"],
        emails=notices.progress(cohort.id),
        waiting=invitations.waiting(cohort.id),
        panels=hooks.render_panels(hooks.COHORT_PAGE, current_user, cohort=cohort),
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
        stream=activity.stream(cohort, person),
        owed=notices.owed(cohort, person),
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


@bp.route(
    "/formateur/cohortes/<int:cohort_id>/apprenants/<int:user_id>/retrait", methods=["GET", "POST"]
)
@managed
def remove_learner(cohort, user_id):
    """The cohort's formateurs: take a learner out of the cohort, after a confirmation page.
    Their own data stays; they are told by e-mail."""
    person = services.member(cohort, user_id)
    if request.method == "GET":
        if not person:
            abort(404)
        return render_template(
            "cohorts/remove.html",
            page_title=f"Retirer {person.full_name} de la cohorte",
            cohort=cohort,
            person=person,
        )
    if not person or not services.remove_member(cohort, person, current_user):
        # A double click, or a colleague first: already out of the cohort.
        flash("Cette personne ne fait plus partie de la cohorte.", "info")
        return _back(cohort), 303
    flash(
        f"{person.full_name} ne fait plus partie de la cohorte « {cohort.name} » et en est "
        "informé·e par e-mail. Son compte et son parcours sont conservés.",
        "success",
    )
    return _back(cohort)


@bp.post("/formateur/cohortes/<int:cohort_id>/apprenants/<int:user_id>/invitation")
@managed
def resend_invitation(cohort, user_id):
    """The cohort's formateurs: send again the invitation to choose a password."""
    person = _learner(cohort, user_id)
    back = url_for("cohorts.learner", cohort_id=cohort.id, user_id=person.id)
    return _resend(cohort, person, back)


@bp.post("/formateur/cohortes/<int:cohort_id>/invitations/renvoi")
@managed
def resend_waiting(cohort):
    """The cohort's formateurs: send again the invitations existing accounts have not answered
    (their names stay hidden: the formateur only knows how many are waiting)."""
    queued = notices.resend_waiting(cohort, current_user)
    if queued:
        _send_import_emails(cohort)
        flash(f"{queued} invitation(s) renvoyée(s).", "success")
    else:
        flash(
            "Aucune invitation à renvoyer : elles ont toutes reçu une réponse ou viennent de "
            "partir (attendez quelques minutes).",
            "info",
        )
    return _back(cohort)


def _resend(cohort, person, back):
    try:
        notices.resend(cohort, current_user, person)
    except notices.TooSoon:
        flash(
            f"Une invitation vient de partir pour {person.full_name} : attendez quelques "
            "minutes avant d'en renvoyer une.",
            "info",
        )
        return redirect(back), 303
    except ValueError as error:
        flash(str(error), "error")
        return redirect(back), 303
    _send_import_emails(cohort)
    flash(f"Invitation renvoyée à {person.full_name} ({person.email}).", "success")
    return redirect(back)


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
    if cohort.archived:
        flash(ARCHIVED, "error")
        return _back(cohort), 303
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
    if cohort.archived:
        flash(ARCHIVED, "error")
        return _back(cohort), 303
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
    if cohort.archived:
        flash(ARCHIVED, "error")
        return _back(cohort), 303
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


@bp.get("/formateur/cohortes/modele-import.csv")
@roles_required(Role.FORMATEUR, Role.ADMIN)
def import_template():
    """Formateurs and admins: an empty CSV with the import's columns, to fill in a spreadsheet."""
    return importing.template()


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
    if not cohort.link_open:  # archived, or its link closed: it existed, and joins no more
        return render_template(
            "cohorts/join.html", page_title=f"Rejoindre « {cohort.name} »", cohort=cohort
        ), 410
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


@bp.route("/cohortes/bienvenue/<token>", methods=["GET", "POST"])
def welcome(token):
    """The holder of a first-password link (an account made by an import): choose a password."""
    try:
        found = welcome_links.read(token)
    except welcome_links.LinkExpired:
        return render_template("cohorts/welcome.html", page_title="Lien expiré", expired=True), 410
    if not found:
        abort(404)
    if found.user.password_hash is not None:  # spent: the password is chosen already
        flash("Vous avez déjà choisi votre mot de passe : connectez-vous.", "info")
        return redirect(url_for("accounts.login"))
    form = ResetPasswordForm()
    if not form.validate_on_submit():
        return render_template(
            "cohorts/welcome.html",
            page_title="Choisir votre mot de passe",
            form=form,
            person=found.user,
            cohort=found.cohort,
            trainers=services.trainers(found.cohort) if found.cohort else [],
        ), 422 if form.is_submitted() else 200
    change_password(found.user, form.password.data)
    flash(
        "Votre mot de passe est enregistré. Connectez-vous pour commencer la formation.",
        "success",
    )
    return redirect(url_for("accounts.login"))


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
