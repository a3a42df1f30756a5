"""Desk screens. The queues arrive with the desk issue; for now staff land on their overview."""
from __future__ import annotations

from flask import render_template
from flask_login import login_required

from service.desk import bp


@bp.route("/")
@login_required
def index():
    return render_template("desk/index.html")
