"""Model fields whose column depends on the database."""

from django.contrib.postgres.search import SearchVectorField as PostgresSearchVectorField


class SearchVectorField(PostgresSearchVectorField):
    """A `tsvector` column on PostgreSQL; on any other database a text column left empty.

    One field class and one migration for both databases: the SQLite search fallback reads the
    plain text beside it instead (see `releases.search`).
    """

    def db_type(self, connection) -> str:
        return "tsvector" if connection.vendor == "postgresql" else "text"
