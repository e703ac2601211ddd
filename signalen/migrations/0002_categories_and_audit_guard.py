"""Seed the starting categories and make the audit table append-only in PostgreSQL."""

from django.db import migrations

CATEGORIES = [
    "Vastgoed",
    "Horeca",
    "Huisvesting / woonfraude",
    "Uitkeringen / zorg",
    "Witwassen / financieel",
    "Drugs",
    "Mensenhandel / uitbuiting",
    "Vergunningen",
    "Overig",
]

GUARD_SQL = """
CREATE OR REPLACE FUNCTION signalen_auditentry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'signalen_auditentry is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER signalen_auditentry_append_only
    BEFORE UPDATE OR DELETE ON signalen_auditentry
    FOR EACH ROW EXECUTE FUNCTION signalen_auditentry_append_only();
"""

UNGUARD_SQL = """
DROP TRIGGER IF EXISTS signalen_auditentry_append_only ON signalen_auditentry;
DROP FUNCTION IF EXISTS signalen_auditentry_append_only();
"""


def add_categories(apps, schema_editor):
    Category = apps.get_model("signalen", "Category")
    for position, name in enumerate(CATEGORIES):
        Category.objects.get_or_create(name=name, defaults={"position": position * 10})


def guard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(GUARD_SQL)


def unguard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UNGUARD_SQL)


class Migration(migrations.Migration):
    dependencies = [("signalen", "0001_initial")]

    operations = [
        migrations.RunPython(add_categories, migrations.RunPython.noop),
        migrations.RunPython(guard, unguard),
    ]
