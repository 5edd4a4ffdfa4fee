"""disclosure: objections handed to the hotline point at its follow page, not at its first answer (new=1)

Revision ID: disclosure_0005
Revises: disclosure_0004
Create Date: 2026-12-03 10:00:00

"""
from urllib.parse import urlsplit, urlunsplit

import sqlalchemy as sa
from alembic import op

revision = "disclosure_0005"
down_revision = "disclosure_0004"
branch_labels = None
depends_on = None

FIRST_ANSWER = "new=1"  # the hotline's tracking page greets a case just stored when it sees this


def follow_url(url):
    """`url` without its new=1 parameter when it is the hotline's tracking page; else `url` as it is.

    The other parameters keep their order and their encoding, as the hotline wrote them.
    """
    parts = urlsplit(url)
    if not parts.path.endswith("/hotline/track"):  # another module's page: its parameters are its own
        return url
    query = "&".join(p for p in parts.query.split("&") if p and p != FIRST_ANSWER)
    return urlunsplit(parts._replace(query=query))


def upgrade():
    # Until the Handover had a `follow_url`, an objection kept its `url` (the first answer), and following
    # it said again that the case was just stored. Few rows: read and rewritten in Python, which parses a
    # query string the same way whatever the database (SQLite and PostgreSQL have no common function for it).
    objection = sa.table("disclosure_objection", sa.column("id", sa.Integer), sa.column("reference_url", sa.String))
    conn = op.get_bind()
    found = conn.execute(sa.select(objection.c.id, objection.c.reference_url).where(
        objection.c.reference_url.like(f"%{FIRST_ANSWER}%"))).all()
    for row_id, url in found:
        if follow_url(url) != url:
            conn.execute(objection.update().where(objection.c.id == row_id).values(reference_url=follow_url(url)))


def downgrade():
    # Nothing to undo: the rows now hold what the code writes today, and earlier code leads the villager to
    # the same case with them; putting new=1 back would only bring back the "your case is stored" banner.
    pass
