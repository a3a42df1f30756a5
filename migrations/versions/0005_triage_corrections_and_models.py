"""triage corrections and models

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('triage_engine',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('engine', sa.LargeBinary(), nullable=False),
    sa.Column('content_version', sa.String(length=64), nullable=False),
    sa.Column('last_correction_id', sa.Integer(), nullable=False),
    sa.Column('content_examples', sa.Integer(), nullable=False),
    sa.Column('correction_examples', sa.Integer(), nullable=False),
    sa.Column('training_seconds', sa.Double(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_triage_engine'))
    )
    op.create_table('triage_correction',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('tag', sa.String(length=20), nullable=False),
    sa.Column('previous_tag', sa.String(length=20), nullable=True),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_triage_correction_staff_id_staff'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], name=op.f('fk_triage_correction_ticket_id_ticket'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_triage_correction'))
    )
    with op.batch_alter_table('triage_correction', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_triage_correction_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_triage_correction_ticket_id'), ['ticket_id'], unique=False)


def downgrade():
    with op.batch_alter_table('triage_correction', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_triage_correction_ticket_id'))
        batch_op.drop_index(batch_op.f('ix_triage_correction_created_at'))
    op.drop_table('triage_correction')
    op.drop_table('triage_engine')
