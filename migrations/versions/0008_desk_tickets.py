"""desk tickets: overdue reminders sent once, indexes for the queues

Revision ID: 0008
Revises: 0007
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('deadline_alert',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], name=op.f('fk_deadline_alert_ticket_id_ticket'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deadline_alert')),
    sa.UniqueConstraint('ticket_id', 'kind', name='uq_deadline_alert_ticket_kind')
    )
    # The queues sort and filter open tickets by age; the overview reads recent weeks.
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.create_index('ix_ticket_status_created_at', ['status', 'created_at'], unique=False)
        batch_op.create_index('ix_ticket_created_at', ['created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_index('ix_ticket_created_at')
        batch_op.drop_index('ix_ticket_status_created_at')
    op.drop_table('deadline_alert')
