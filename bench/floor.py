"""The platform's floor: its app (sessions, login, security headers, limits) serving a page
that does nothing, logged in; what every page costs before doing its own work."""

from flask_login import current_user, login_required

from cafeia import create_app

app = create_app()


@app.get("/banc/plancher")
@login_required
def floor():
    return f"<!doctype html><title>Plancher</title><p>Bonjour {current_user.id}</p>"
