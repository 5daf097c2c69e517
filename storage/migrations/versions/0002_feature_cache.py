"""feature cache (derived text features keyed by subject and input hash); auction notices by organisation and
time; the scope (since) of a detector run

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('feature_cache',
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('subject_key', sa.String(length=200), nullable=False),
    sa.Column('input_sha256', sa.String(length=64), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('kind', 'subject_key', name=op.f('pk_feature_cache'))
    )
    with op.batch_alter_table('auction_notices', schema=None) as batch_op:
        batch_op.create_index('ix_auction_notices_org_published', ['organisation_id', 'published_at'], unique=False)
    with op.batch_alter_table('detector_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('since', sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('detector_runs', schema=None) as batch_op:
        batch_op.drop_column('since')
    with op.batch_alter_table('auction_notices', schema=None) as batch_op:
        batch_op.drop_index('ix_auction_notices_org_published')
    op.drop_table('feature_cache')
