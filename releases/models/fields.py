"""Model fields and expressions whose SQL depends on the database."""

from datetime import UTC, datetime

from django.contrib.postgres.search import SearchVector
from django.contrib.postgres.search import SearchVectorField as PostgresSearchVectorField
from django.db.models import F, JSONField, QuerySet, Subquery, Value
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import JSONObject


class SearchVectorField(PostgresSearchVectorField):
    """A `tsvector` column on PostgreSQL; on any other database a text column left empty.

    One field class and one migration for both databases: the SQLite search fallback reads the
    plain text beside it instead (see `releases.public.search`).
    """

    def db_type(self, connection) -> str:
        return "tsvector" if connection.vendor == "postgresql" else "text"


def weighted_vector(
    headline: str, subheadline: str, body_text: str, config: str
) -> CombinedExpression:
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


class JSONRows(Subquery):
    """The rows of ``queryset`` (a correlated subquery), each as a JSON object of ``fields``,
    as one JSON array ordered by ``order_by`` (a field of the rows); ``[]`` when there are none.

    One column instead of a query of its own per row read (`releases.publicpage`). PostgreSQL
    orders inside the aggregate; SQLite's ``json_group_array`` takes no ORDER BY before 3.44, so
    it is fed from the ordered subquery, which SQLite reads in order.
    """

    def __init__(self, queryset: QuerySet, fields: tuple[str, ...], order_by: str) -> None:
        item = JSONObject(**{name: name for name in fields})
        rows = queryset.values(item=item, key=F(order_by)).order_by(order_by)
        super().__init__(rows, output_field=JSONField())

    def as_sql(self, compiler, connection, **extra):
        template = (
            "(SELECT COALESCE(JSONB_AGG(rows.item ORDER BY rows.key), '[]')"
            " FROM (%(subquery)s) rows)"
        )
        return super().as_sql(compiler, connection, template=template, **extra)

    def as_sqlite(self, compiler, connection, **extra):
        template = "(SELECT JSON_GROUP_ARRAY(JSON(rows.item)) FROM (%(subquery)s) rows)"
        return super().as_sql(compiler, connection, template=template, **extra)


def json_datetime(text: str) -> datetime:
    """An aware time from a JSON column (`JSONObject`, `JSONRows`): the database writes it as
    text, ISO 8601 with an offset on PostgreSQL, naive UTC on SQLite."""
    at = datetime.fromisoformat(text)
    return at if at.tzinfo else at.replace(tzinfo=UTC)
