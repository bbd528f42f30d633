"""Café IA Formation's platform: configuration, database, accounts, security, xAPI, layout.

The ground floor every feature builds on. It never imports a feature: the application is
composed above, in cafeia.create_app, which calls init_platform and then each feature's
init_app. Features plug in through lms.hooks only.
"""

from pathlib import Path

from flask import Flask, send_from_directory
from werkzeug.middleware.proxy_fix import ProxyFix

from .logs import configure_logging


def new_app() -> Flask:
    """The Flask object: named after lms, whose templates, static files and instance/ it uses."""
    return Flask(__name__, instance_relative_config=True)


def init_platform(app: Flask, config: dict | None = None) -> None:
    """Everything but the features; they are registered after, on top of it."""
    # instance/ holds the SQLite file and the development secret: create it before reading config.
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    from .config import from_environment

    app.config.from_mapping(from_environment(Path(app.instance_path)))
    # Tests and scripts override what they need; the environment stays the default.
    app.config.from_mapping(config or {})
    # Audit lines are the operators' record: configured before anything can log one.
    configure_logging(app.config["LOG_LEVEL"])
    app.jinja_env.add_extension("jinja2.ext.do")
    from . import formatting

    formatting.init_app(app)  # French numbers and dates: |nombre, |pourcentage, |date_longue…
    app.json.sort_keys = False  # exports keep their documented column order
    if app.config["TRUSTED_PROXIES"]:
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    # Platform hooks come first: the encoding check must see the body before CSRF parses it.
    _register_platform_hooks(app)
    _bind_extensions(app)
    _register_blueprints(app)


def _bind_extensions(app: Flask) -> None:
    from .extensions import (
        check_limits_on_their_routes_only,
        csrf,
        db,
        limiter,
        login_manager,
        migrate,
    )

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent.parent / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    check_limits_on_their_routes_only(app)
    login_manager.init_app(app)


def _register_blueprints(app: Flask) -> None:
    from . import accounts, admin, cli, errors, hooks, pages, xapi
    from .xapi.views import personal_statements

    for blueprint in (pages.bp, accounts.bp, admin.bp, xapi.bp):
        app.register_blueprint(blueprint)
    hooks.connect(
        app,
        hooks.PERSONAL_DATA,
        personal_statements,
        section="traces_xapi",
        tables=("xapi_statements",),
    )
    errors.register(app)
    app.cli.add_command(cli.lms)

    # The DSFR is served from its npm package, exactly as published.
    @app.get("/static/dsfr/<path:filename>", endpoint="dsfr")
    def dsfr(filename):
        return send_from_directory(app.config["DSFR_DIST"], filename, max_age=86400)


def _register_platform_hooks(app: Flask) -> None:
    from . import converters, hooks, navigation
    from .security import (
        add_security_headers,
        refuse_foreign_bodies,
        refuse_nul_characters,
        refuse_undecodable_forms,
    )

    converters.register(app)  # before the blueprints: each rule binds its converter when added
    app.before_request(refuse_undecodable_forms)
    app.before_request(refuse_foreign_bodies)  # a JSON body never reaches a form's fields
    app.before_request(refuse_nul_characters)
    app.after_request(add_security_headers)
    hooks.init_app(app)  # before anything connects a receiver
    navigation.init_app(app)
