"""list indexes: open tickets, a surgeon's history, undone outbox work

The desk lists and counts open work (a few thousand of a million tickets) through partial
indexes that hold only open tickets; a surgeon's "all" reads their tickets newest first; the
outbox relay finds undone events without walking millions of finished ones. The index on
ticket.assignee_id alone is replaced by (assignee_id, created_at), which serves it too.

Revision ID: 0013
Revises: 0011
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0011'
branch_labels = None
depends_on = None

OPEN = sa.text("status IN ('new', 'triaged', 'assigned')")
UNDONE = sa.text("completed_at IS NULL")


def upgrade():
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.create_index('ix_ticket_assignee_created_at', ['assignee_id', 'created_at'], unique=False)
        batch_op.drop_index('ix_ticket_assignee_id')
        batch_op.create_index('ix_ticket_open_created_at', ['created_at', 'id'], unique=False,
                              postgresql_where=OPEN, sqlite_where=OPEN)
        batch_op.create_index('ix_ticket_open_assignee', ['assignee_id', 'created_at'], unique=False,
                              postgresql_where=OPEN, sqlite_where=OPEN)
    with op.batch_alter_table('outbox_event', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_event_undone', ['id'], unique=False,
                              postgresql_where=UNDONE, sqlite_where=UNDONE)


def downgrade():
    with op.batch_alter_table('outbox_event', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_event_undone')
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_index('ix_ticket_open_assignee')
        batch_op.drop_index('ix_ticket_open_created_at')
        batch_op.create_index('ix_ticket_assignee_id', ['assignee_id'], unique=False)
        batch_op.drop_index('ix_ticket_assignee_created_at')
