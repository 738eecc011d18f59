"""The database itself refuses to change a letterhead as approved: rows are only ever added.

Deleting one a release uses is refused by the foreign key from releases_release (PROTECT).
"""

from django.db import migrations

SQLITE_UP = """
CREATE TRIGGER contacts_letterhead_immutable
BEFORE UPDATE ON contacts_letterhead
BEGIN
    SELECT RAISE(ABORT, 'letterheads as approved are immutable: add a new one instead');
END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS contacts_letterhead_immutable;"

POSTGRES_UP = """
CREATE FUNCTION contacts_letterhead_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'letterheads as approved are immutable: add a new one instead';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER contacts_letterhead_immutable
BEFORE UPDATE ON contacts_letterhead
FOR EACH ROW EXECUTE FUNCTION contacts_letterhead_immutable();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS contacts_letterhead_immutable ON contacts_letterhead;
DROP FUNCTION IF EXISTS contacts_letterhead_immutable();
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
    dependencies = [("contacts", "0002_letterhead")]
    operations = [migrations.RunPython(up, down)]
