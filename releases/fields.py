"""Model fields whose column depends on the database."""

from django.contrib.postgres.search import CombinedSearchVector, SearchVector
from django.contrib.postgres.search import SearchVectorField as PostgresSearchVectorField
from django.db.models import Value


class SearchVectorField(PostgresSearchVectorField):
    """A `tsvector` column on PostgreSQL; on any other database a text column left empty.

    One field class and one migration for both databases: the SQLite search fallback reads the
    plain text beside it instead (see `releases.search`).
    """

    def db_type(self, connection) -> str:
        return "tsvector" if connection.vendor == "postgresql" else "text"


def weighted_vector(
    headline: str, subheadline: str, body_text: str, config: str
) -> CombinedSearchVector:
    """The search vector of a release: headline (A) over subheadline (B) over body (C).

    Angle brackets become spaces first: the text is plain text, but PostgreSQL's parser would
    take a literal "<b>" in it for a tag and drop the word.
    """

    def words(text: str) -> Value:
        return Value((text or "").replace("<", " ").replace(">", " "))

    return (
        SearchVector(words(headline), weight="A", config=config)
        + SearchVector(words(subheadline), weight="B", config=config)
        + SearchVector(words(body_text), weight="C", config=config)
    )
