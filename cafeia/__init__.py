"""Café IA Formation, composed: the platform (lms), then each feature, in this order.

The only package that knows every feature. A feature comes after those it builds on:
quizzes read the courses' catalogue, certificates the quizzes, and so on.
"""

from flask import Flask

import annuaire
import cafes
import certificates
import cohorts
import courses
import lms
import lti
import proconnect
import quizzes
import referents
import stats

FEATURES = (
    courses,
    proconnect,
    quizzes,
    certificates,
    annuaire,
    cohorts,
    cafes,
    referents,
    lti,
    stats,
)


def create_app(config: dict | None = None) -> Flask:
    """Tests and scripts override what they need in `config`; the environment stays the default."""
    app = lms.new_app()
    lms.init_platform(app, config)
    for feature in FEATURES:
        feature.init_app(app)
    return app
