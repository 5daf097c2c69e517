"""review site: one verdict per reviewer and finding (older duplicates removed, the latest kept), the channel a
verdict came through, and analyst accounts

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The CLI used to add a row per call: keep each reviewer's latest verdict per finding (NULL reviewers count
    # as one reviewer, as GROUP BY does on both SQLite and PostgreSQL).
    op.execute("DELETE FROM reviews WHERE id NOT IN "
               "(SELECT keep FROM (SELECT MAX(id) AS keep FROM reviews GROUP BY finding_id, reviewer) AS latest)")
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.add_column(sa.Column('via', sa.String(length=20), nullable=True))
        batch_op.create_unique_constraint('uq_reviews_finding_reviewer', ['finding_id', 'reviewer'])
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('password_hash', sa.String(length=300), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('password_changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('name', name=op.f('uq_users_name'))
    )


def downgrade() -> None:
    op.drop_table('users')
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.drop_constraint('uq_reviews_finding_reviewer', type_='unique')
        batch_op.drop_column('via')
