"""Every model, imported in one place so Alembic and the app see the whole schema."""
from service.staff.models import ApiToken, Role, Staff, StaffSession, StaffSpecialty, utcnow  # noqa: F401
from service.content.models import (  # noqa: F401
    Article,
    ArticleRevision,
    ContentChange,
    Faq,
    Section,
    SlugRedirect,
    Tag,
)
from service.tickets.models import Message, OutboundEmail, OutboxEvent, Ticket  # noqa: F401
from service.audit.models import AuditEvent  # noqa: F401
from service.triage.models import TrainedEngine, TriageCorrection  # noqa: F401
from service.mail.inbound.models import InboundAttachment, InboundMessage  # noqa: F401
from service.desk.models import DeadlineAlert  # noqa: F401
from service.privacy.models import PrivacyErasure  # noqa: F401
