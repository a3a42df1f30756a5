from tests.fixtures.smtp import smtp_server  # noqa: F401
from tests.tickets.conftest import app_config  # noqa: F401  (in-memory broker)
