"""Database triggers that refuse UPDATE and DELETE on append-only tables (ledger, audit)."""

from sqlalchemy import DDL, event


def trigger_statements(table, dialect):
    """The SQL that makes `table` append-only on `dialect` ('sqlite' or 'postgresql')."""
    if dialect == "sqlite":
        return [
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END",
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END",
        ]
    if dialect == "postgresql":
        return [
            f"CREATE OR REPLACE FUNCTION {table}_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN RAISE EXCEPTION '{table} is append-only'; END $$",
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_refuse()",
        ]
    raise NotImplementedError(f"append-only triggers for {dialect}")


def drop_statements(table, dialect):
    """The SQL that removes what trigger_statements() made."""
    if dialect == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {table}_no_update", f"DROP TRIGGER IF EXISTS {table}_no_delete"]
    return [f"DROP TRIGGER IF EXISTS {table}_no_update ON {table}", f"DROP FUNCTION IF EXISTS {table}_refuse()"]


def make_append_only(table):
    """Attach the triggers to a SQLAlchemy Table so that create_all() makes them too."""
    for dialect in ("sqlite", "postgresql"):
        for sql in trigger_statements(table.name, dialect):
            event.listen(table, "after_create", DDL(sql).execute_if(dialect=dialect))
