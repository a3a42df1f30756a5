from flask import Blueprint

bp = Blueprint("desk", __name__, url_prefix="/desk")

from service.desk import auth, views  # noqa: E402,F401
from service.desk import tickets  # noqa: E402,F401  (ticket page and actions)
from service.desk import mail  # noqa: E402,F401  (dev mailbox, /desk/mail)
from service.desk import account, team  # noqa: E402,F401  (own account; admin pages)
from service.desk import reports  # noqa: E402,F401  (coordinators' reports and CSV)
