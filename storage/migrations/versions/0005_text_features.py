"""text features read once and stored as typed rows: lot_features (parcel facts, amounts with their bases, asset
class), notice_identities and blocking_keys (asset identity of auction notices for relist linking); the
feature_cache table they replace is dropped; findings.inputs_digest (a finding whose inputs are unchanged is not
built again)

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_table('feature_cache')
    with op.batch_alter_table('findings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('inputs_digest', sa.String(length=64), nullable=True))
    op.create_table('lot_features',
    sa.Column('notice_kind', sa.String(length=40), nullable=False),
    sa.Column('notice_key', sa.String(length=200), nullable=False),
    sa.Column('lot_index', sa.Integer(), nullable=False),
    sa.Column('version', sa.String(length=16), nullable=False),
    sa.Column('inputs_sha256', sa.String(length=64), nullable=False),
    sa.Column('asset_class', sa.String(length=12), nullable=False),
    sa.Column('is_land', sa.Boolean(), nullable=False),
    sa.Column('has_parcel_no', sa.Boolean(), nullable=False),
    sa.Column('has_map_sheet', sa.Boolean(), nullable=False),
    sa.Column('has_area', sa.Boolean(), nullable=False),
    sa.Column('has_location', sa.Boolean(), nullable=False),
    sa.Column('has_certificate', sa.Boolean(), nullable=False),
    sa.Column('has_purpose', sa.Boolean(), nullable=False),
    sa.Column('has_term', sa.Boolean(), nullable=False),
    sa.Column('unread_attachments', sa.Integer(), nullable=False),
    sa.Column('price', sa.Float(), nullable=True),
    sa.Column('deposit', sa.Float(), nullable=True),
    sa.Column('deposit_unit', sa.Integer(), nullable=True),
    sa.Column('fee', sa.Float(), nullable=True),
    sa.Column('price_basis', sa.String(length=20), nullable=False),
    sa.Column('price_basis_proven', sa.Boolean(), nullable=False),
    sa.Column('deposit_comparable', sa.Boolean(), nullable=False),
    sa.Column('units', sa.Integer(), nullable=True),
    sa.Column('shared_by_lots', sa.Integer(), nullable=False),
    sa.Column('term_months', sa.Float(), nullable=True),
    sa.Column('periodic', sa.Boolean(), nullable=False),
    sa.Column('land_area_m2', sa.Float(), nullable=True),
    sa.Column('fee_table', sa.String(length=24), nullable=False),
    sa.Column('parcel', sa.JSON(), nullable=False),
    sa.Column('amounts', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('notice_kind', 'notice_key', 'lot_index', name=op.f('pk_lot_features'))
    )
    with op.batch_alter_table('lot_features', schema=None) as batch_op:
        batch_op.create_index('ix_lot_features_land', ['notice_kind', 'is_land'], unique=False)
    op.create_table('notice_identities',
    sa.Column('notice_id', sa.BigInteger(), nullable=False),
    sa.Column('version', sa.String(length=16), nullable=False),
    sa.Column('keys_fp', sa.String(length=16), nullable=False),
    sa.Column('identity', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('notice_id', name=op.f('pk_notice_identities'))
    )
    op.create_table('blocking_keys',
    sa.Column('key', sa.String(length=300), nullable=False),
    sa.Column('notice_id', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('key', 'notice_id', name=op.f('pk_blocking_keys'))
    )
    with op.batch_alter_table('blocking_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_blocking_keys_notice_id'), ['notice_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('findings', schema=None) as batch_op:
        batch_op.drop_column('inputs_digest')
    op.create_table('feature_cache',
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('subject_key', sa.String(length=200), nullable=False),
    sa.Column('input_sha256', sa.String(length=64), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('kind', 'subject_key', name=op.f('pk_feature_cache'))
    )
    with op.batch_alter_table('blocking_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_blocking_keys_notice_id'))
    op.drop_table('blocking_keys')
    op.drop_table('notice_identities')
    with op.batch_alter_table('lot_features', schema=None) as batch_op:
        batch_op.drop_index('ix_lot_features_land')
    op.drop_table('lot_features')
