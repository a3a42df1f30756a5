"""Desk screens. The ticket queues plug into the overview in a later round."""
from __future__ import annotations

from flask import render_template
from flask.wrappers import Response
from flask_login import login_required

from service.desk import bp


@bp.after_request
def never_cache(response: Response) -> Response:
    # Desk pages carry staff secrets (a new API token) and, soon, patient messages:
    # no browser back-button cache, no shared proxy cache.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/")
@login_required
def index():
    return render_template("desk/index.html")
