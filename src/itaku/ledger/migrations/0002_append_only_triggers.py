"""Make ledger_event append-only in the database itself (UPDATE, DELETE and, on PostgreSQL, TRUNCATE)."""

from django.db import migrations


def install(apps, schema_editor):
    from itaku.ledger import triggers

    triggers.install(schema_editor.connection)


def uninstall(apps, schema_editor):
    from itaku.ledger import triggers

    triggers.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]
    operations = [migrations.RunPython(install, uninstall)]
