"""urgent outbox events: work for an emergency goes to a queue that workers empty first

An emergency's triage, its coordinator alerts and their mail used to wait in one queue behind
every question submitted before it: in a burst of hundreds a second, minutes. The flag tells the
outbox (and its relay, re-dispatching a stored event) to hand the event to the urgent queue.
Existing rows are not urgent: their work was promised before the flag existed.

Revision ID: 0011
Revises: 0010
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('urgent', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('outbox_event', schema=None) as batch_op:
        batch_op.drop_column('urgent')
