"""The database itself refuses to change a disclaimer version: versions are only ever added.

Deleting a version that a release uses is refused by the foreign key from
releases_releasedisclaimer (no ON DELETE action), on both SQLite and PostgreSQL.
"""

from django.db import migrations

SQLITE_UP = """
CREATE TRIGGER disclaimers_version_immutable
BEFORE UPDATE ON disclaimers_disclaimerversion
BEGIN
    SELECT RAISE(ABORT, 'disclaimer versions are immutable: add a new version instead');
END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS disclaimers_version_immutable;"

POSTGRES_UP = """
CREATE FUNCTION disclaimers_version_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'disclaimer versions are immutable: add a new version instead';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER disclaimers_version_immutable
BEFORE UPDATE ON disclaimers_disclaimerversion
FOR EACH ROW EXECUTE FUNCTION disclaimers_version_immutable();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS disclaimers_version_immutable ON disclaimers_disclaimerversion;
DROP FUNCTION IF EXISTS disclaimers_version_immutable();
"""


def up(apps, schema_editor):
    sql = {"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}.get(schema_editor.connection.vendor)
    if sql:
        schema_editor.execute(sql)


def down(apps, schema_editor):
    sql = {"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}.get(schema_editor.connection.vendor)
    if sql:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("disclaimers", "0001_initial")]
    operations = [migrations.RunPython(up, down)]
