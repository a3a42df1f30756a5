"""content search and content changes

Full-text search over articles and FAQs, per dialect:
- SQLite: an FTS5 table `content_search` (porter stemming) kept in sync by triggers on
  article and faq. rowid = 2*id for articles, 2*id+1 for FAQs, so a trigger finds its row
  without a scan. Columns: title (question), summary, body (answer).
- PostgreSQL: GIN expression indexes over weighted tsvectors (title A, summary B, body C);
  service/content/search.py repeats the same expressions so the planner uses them. Being
  expressions, there is nothing to keep in sync.
Plus `content_change`: one row per content save/delete (audit trail + content version).

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

# Frozen copies of the expressions in service/content/search.py (migrations must not import app code).
PG_ARTICLE_VECTOR = (
    "(setweight(to_tsvector('english', coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('english', coalesce(summary, '')), 'B') || "
    "setweight(to_tsvector('english', coalesce(body_md, '')), 'C'))"
)
PG_FAQ_VECTOR = (
    "(setweight(to_tsvector('english', coalesce(question, '')), 'A') || "
    "setweight(to_tsvector('english', coalesce(answer_md, '')), 'C'))"
)

SQLITE_TRIGGERS = [
    """CREATE TRIGGER content_search_article_ai AFTER INSERT ON article BEGIN
        INSERT INTO content_search(rowid, title, summary, body)
        VALUES (new.id * 2, new.title, new.summary, new.body_md);
    END""",
    """CREATE TRIGGER content_search_article_au AFTER UPDATE ON article BEGIN
        DELETE FROM content_search WHERE rowid = old.id * 2;
        INSERT INTO content_search(rowid, title, summary, body)
        VALUES (new.id * 2, new.title, new.summary, new.body_md);
    END""",
    """CREATE TRIGGER content_search_article_ad AFTER DELETE ON article BEGIN
        DELETE FROM content_search WHERE rowid = old.id * 2;
    END""",
    """CREATE TRIGGER content_search_faq_ai AFTER INSERT ON faq BEGIN
        INSERT INTO content_search(rowid, title, summary, body)
        VALUES (new.id * 2 + 1, new.question, '', new.answer_md);
    END""",
    """CREATE TRIGGER content_search_faq_au AFTER UPDATE ON faq BEGIN
        DELETE FROM content_search WHERE rowid = old.id * 2 + 1;
        INSERT INTO content_search(rowid, title, summary, body)
        VALUES (new.id * 2 + 1, new.question, '', new.answer_md);
    END""",
    """CREATE TRIGGER content_search_faq_ad AFTER DELETE ON faq BEGIN
        DELETE FROM content_search WHERE rowid = old.id * 2 + 1;
    END""",
]
SQLITE_TRIGGER_NAMES = [
    "content_search_article_ai", "content_search_article_au", "content_search_article_ad",
    "content_search_faq_ai", "content_search_faq_au", "content_search_faq_ad",
]


def upgrade():
    op.create_table('content_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('ref_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_content_change_staff_id_staff'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_content_change'))
    )

    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE content_search USING fts5("
            "title, summary, body, tokenize = 'porter unicode61 remove_diacritics 2')"
        )
        for trigger in SQLITE_TRIGGERS:
            op.execute(trigger)
        # Rows that existed before this migration.
        op.execute(
            "INSERT INTO content_search(rowid, title, summary, body) "
            "SELECT id * 2, title, summary, body_md FROM article"
        )
        op.execute(
            "INSERT INTO content_search(rowid, title, summary, body) "
            "SELECT id * 2 + 1, question, '', answer_md FROM faq"
        )
    elif dialect == "postgresql":
        op.execute(f"CREATE INDEX ix_article_search ON article USING gin ({PG_ARTICLE_VECTOR})")
        op.execute(f"CREATE INDEX ix_faq_search ON faq USING gin ({PG_FAQ_VECTOR})")


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name in SQLITE_TRIGGER_NAMES:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS content_search")
    elif dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_faq_search")
        op.execute("DROP INDEX IF EXISTS ix_article_search")
    op.drop_table('content_change')
