"""stored search vectors: article and faq keep their weighted tsvector in a column (PostgreSQL)

0003 indexed the tsvector expressions, which let the GIN index find matches, but ranking
(ts_rank) still had to rebuild each matching row's vector from its full body on every search:
the public /search page and every patient acknowledgement paid for parsing whole articles.
A STORED generated column computes the same vector once per write instead, and the GIN index
moves onto it. The expressions are exactly 0003's, so ranks and results do not change.

Adding a stored generated column rewrites the table under an exclusive lock: seconds for a
clinic's few hundred articles, not something to fear. SQLite keeps its FTS5 table from 0003
(already a stored index), so nothing changes there.

Revision ID: 0010
Revises: 0009
"""
from alembic import op


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

# Frozen copies of 0003's expressions (migrations must not import app code).
PG_ARTICLE_VECTOR = (
    "(setweight(to_tsvector('english', coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('english', coalesce(summary, '')), 'B') || "
    "setweight(to_tsvector('english', coalesce(body_md, '')), 'C'))"
)
PG_FAQ_VECTOR = (
    "(setweight(to_tsvector('english', coalesce(question, '')), 'A') || "
    "setweight(to_tsvector('english', coalesce(answer_md, '')), 'C'))"
)
VECTORS = {"article": PG_ARTICLE_VECTOR, "faq": PG_FAQ_VECTOR}


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, vector in VECTORS.items():
        op.execute(f"ALTER TABLE {table} ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({vector}) STORED")
        op.execute(f"CREATE INDEX ix_{table}_search_vector ON {table} USING gin (search_vector)")
        op.execute(f"DROP INDEX IF EXISTS ix_{table}_search")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, vector in VECTORS.items():
        op.execute(f"CREATE INDEX ix_{table}_search ON {table} USING gin ({vector})")
        op.execute(f"DROP INDEX IF EXISTS ix_{table}_search_vector")
        op.execute(f"ALTER TABLE {table} DROP COLUMN search_vector")
