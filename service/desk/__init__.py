from flask import Blueprint

bp = Blueprint("desk", __name__, url_prefix="/desk")

from service.desk import auth, views  # noqa: E402,F401
