"""The baseline: the smallest Flask page, served exactly like the platform."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "<!doctype html><title>Témoin</title><p>Bonjour</p>"
