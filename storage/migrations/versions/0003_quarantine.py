"""quarantined list items (stored or explicitly quarantined: nothing lost in silence); the lists a crawl run
planned to read

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('quarantined_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=32), nullable=False),
    sa.Column('record_kind', sa.String(length=40), nullable=False),
    sa.Column('item_key', sa.String(length=200), nullable=False),
    sa.Column('list_name', sa.String(length=100), nullable=False),
    sa.Column('retryable', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('item', sa.JSON(), nullable=True),
    sa.Column('url', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('failed_runs', sa.Integer(), nullable=False),
    sa.Column('first_run_id', sa.Integer(), nullable=True),
    sa.Column('last_run_id', sa.Integer(), nullable=True),
    sa.Column('first_seen', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('alerted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['first_run_id'], ['crawl_runs.id'], name=op.f('fk_quarantined_items_first_run_id_crawl_runs')),
    sa.ForeignKeyConstraint(['last_run_id'], ['crawl_runs.id'], name=op.f('fk_quarantined_items_last_run_id_crawl_runs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quarantined_items')),
    sa.UniqueConstraint('record_kind', 'item_key', name='uq_quarantined_items_kind_key')
    )
    with op.batch_alter_table('quarantined_items', schema=None) as batch_op:
        batch_op.create_index('ix_quarantined_items_kind_status', ['record_kind', 'status'], unique=False)
    with op.batch_alter_table('crawl_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('planned_lists', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('crawl_runs', schema=None) as batch_op:
        batch_op.drop_column('planned_lists')
    with op.batch_alter_table('quarantined_items', schema=None) as batch_op:
        batch_op.drop_index('ix_quarantined_items_kind_status')
    op.drop_table('quarantined_items')
