"""The lesson page draws its blocks once per person and answers (courses.activities.render_body):
what a reload serves is what drawing it again would give — this request's form token, this
person's choices, the answers as they are now."""

import re

from courses.models import ActivityAnswer
from lms.extensions import db
from tests.conftest import Auth

from .test_activities import CHECK, lesson_page, values

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def test_a_body_drawn_for_another_session_carries_this_sessions_form_token(
    app, client, create_user, auth
):
    person = create_user()
    auth.login(person.email)
    lesson_page(client)  # drawn and kept
    other_tab = app.test_client()  # the same person, another session: another token
    Auth(other_tab).login(person.email)
    page = lesson_page(other_tab)
    tokens = set(TOKEN.findall(page))
    assert len(tokens) == 1 and "cafeia-jeton-csrf" not in page
    assert tokens != set(TOKEN.findall(lesson_page(client)))
    right = values(page, "verif-1")["La réponse juste"]
    response = other_tab.post(CHECK, data={"csrf_token": tokens.pop(), "reponse": right})
    assert response.status_code == 303


def test_each_person_is_drawn_their_own_choices(client, create_user, auth):
    first, second = create_user(), create_user()
    auth.login(first.email)
    theirs = values(lesson_page(client), "verif-1")
    auth.logout()
    auth.login(second.email)
    mine = values(lesson_page(client), "verif-1")
    assert set(theirs.values()).isdisjoint(mine.values())
    assert client.submit(CHECK, {"reponse": mine["La réponse juste"]}).status_code == 303


def test_an_answer_saved_elsewhere_shows_on_the_next_reload(client, login_as):
    user = login_as()
    shown = values(lesson_page(client), "verif-1")
    lesson_page(client)  # a reload: the kept body
    # As another process would write it: the answers, not this process's memory, decide.
    db.session.add(
        ActivityAnswer(
            user_id=user.id,
            module_slug="module-un",
            lesson_slug="lecon-1",
            block_id="verif-1",
            kind="question",
            value={"response": "juste", "score": 1.0},
        )
    )
    db.session.commit()
    page = lesson_page(client)
    assert "Bonne réponse" in page and f'value="{shown["La réponse juste"]}" checked' in page


# The whole page is kept too (courses.views._lesson_page): what it is drawn from besides the
# content — the menu, the lesson's state, a message to flash — still shows on the next reload.


def test_a_menu_entry_granted_since_shows_on_the_next_reload(client, login_as):
    from tests.referents.conftest import grant

    person = login_as()
    lesson_page(client), lesson_page(client)  # drawn, then served as kept
    assert "Mon territoire" not in lesson_page(client)
    grant(person)  # as an admin's request in another process would
    assert "Mon territoire" in lesson_page(client)


def test_a_kept_page_shows_the_message_flashed_once_then_the_lesson_as_done(client, login_as):
    login_as()
    lesson_page(client), lesson_page(client)
    assert "J'ai terminé cette leçon" in lesson_page(client)
    client.submit("/modules/module-un/lecon-1/terminer")  # flashes, then lesson 2
    page = client.get("/modules/module-un/lecon-1").get_data(as_text=True)
    assert "Leçon « Leçon 1 » terminée." in page and "Vous avez terminé cette leçon." in page
    again = lesson_page(client)
    assert "terminée." not in again.split("<h1>")[0] and "Vous avez terminé cette leçon." in again
