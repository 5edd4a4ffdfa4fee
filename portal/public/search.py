"""The search index of the public site: the character bigrams of each publication's text.

/search matches substrings, since Chinese has no spaces between words (修路 inside 村道修路工程),
and a LIKE scan reads every publication's text: 12 MB and ~0.1 s a query at county scale,
seconds for a province. A substring of two characters or more contains each of its bigrams,
so only the publications that hold every bigram of every term can match; services.search_seqs
then checks those exactly (LIKE), newest first, and the results are the same as a scan's.
A term of one character has no bigram and leaves the search to the scan.

SQLite keeps the bigrams in an FTS5 table (contentless, without positions), PostgreSQL in a
text[] column with a GIN index: both are compact lists of publications per bigram, and neither
fits SQLAlchemy's metadata (migrations/env.py and the schema test leave them out by name).
Publications are append-only, so each revision is indexed once, in the transaction that
inserts it (the after_insert event below); code that inserts publications in bulk without the
ORM's unit of work (the benchmark's dataset) calls index_rows() itself.
"""

from sqlalchemy import Integer, event, text

from ..ledger.models import Publication

TABLE = "public_search"


def grams(text_):
    """The bigrams of `text_`: each two adjacent letters or digits, lower-cased (路灯, id, 20…)."""
    found, previous = set(), None
    for char in (text_ or "").lower():
        if char.isalnum():
            if previous is not None:
                found.add(previous + char)
            previous = char
        else:
            previous = None
    return found


def _text_of(title, summary, search_text):
    # apart with spaces: no bigram across two fields, as no LIKE matches across them
    return " ".join(filter(None, (title, summary, search_text)))


def index_rows(connection, rows):
    """Index publications given as (seq, title, summary, search_text), on `connection`."""
    values = [(seq, sorted(grams(_text_of(title, summary, search_text)))) for seq, title, summary, search_text in rows]
    if not values:
        return
    if connection.dialect.name == "postgresql":
        connection.execute(text(f"INSERT INTO {TABLE} (seq, grams) VALUES (:seq, :grams)"),
                           [{"seq": seq, "grams": found} for seq, found in values])
    else:
        connection.execute(text(f"INSERT INTO {TABLE} (rowid, grams) VALUES (:seq, :grams)"),
                           [{"seq": seq, "grams": " ".join(found)} for seq, found in values])


def candidates(terms, dialect, before=None, limit=None):
    """A select of the seqs of the publications that may contain every term, newest first (those
    below the seq `before`, `limit` at most), or None when no term has a bigram (every
    publication may: the scan decides)."""
    wanted = sorted(set().union(*(grams(term) for term in terms)))
    if not wanted:
        return None
    if dialect == "postgresql":
        # For a common bigram PostgreSQL reads this table's newest rows and tests each one's array
        # until `limit` match; for a rare one it reads the GIN index. (Testing every row's array,
        # as it did for a common word without the limit, took 0.18 s at county scale.)
        where, params = "grams @> CAST(:grams AS text[])", {"grams": wanted}
        key = "seq"
    else:
        # every bigram a quoted token: letters and digits only, so nothing in it needs escaping
        where, params = f"{TABLE} MATCH :match", {"match": " AND ".join(f'"{g}"' for g in wanted)}
        key = "rowid"
    if before is not None:
        where, params = f"{where} AND {key} < :before", dict(params, before=before)
    sql = f"SELECT {key} AS seq FROM {TABLE} WHERE {where} ORDER BY {key} DESC"
    if limit is not None:
        sql, params = f"{sql} LIMIT :limit", dict(params, limit=limit)
    return text(sql).bindparams(**params).columns(seq=Integer)


def create_statements(dialect):
    """The SQL that makes the index on `dialect` (used by the migration)."""
    if dialect == "postgresql":
        # no foreign key: the index is derived, and a candidate the ledger lacks is simply not found
        return [f"CREATE TABLE {TABLE} (seq INTEGER PRIMARY KEY, grams TEXT[] NOT NULL)",
                f"CREATE INDEX ix_{TABLE}_grams ON {TABLE} USING gin (grams)"]
    return [f"CREATE VIRTUAL TABLE {TABLE} USING fts5(grams, content='', detail=none, "
            f"tokenize='unicode61 remove_diacritics 0')"]


def include_name(name, type_, parent_names):
    """Alembic's filter for comparing the database with the models: the index's tables (and the
    shadow tables FTS5 adds, named after it) are left out."""
    return not (type_ == "table" and (name == TABLE or name.startswith(TABLE + "_")))


@event.listens_for(Publication, "after_insert")
def _index_new_revision(_mapper, connection, pub):
    index_rows(connection, [(pub.seq, pub.title, pub.summary, pub.search_text)])
