"""Chains gain `state_hash`; for the chains already there it starts at their head (nothing is cached yet)."""

from django.db import migrations, models
from django.db.models import F


def _from_head(apps, schema_editor) -> None:
    apps.get_model("ledger", "Chain").objects.using(schema_editor.connection.alias).update(state_hash=F("head_hash"))


class Migration(migrations.Migration):

    dependencies = [
        ("ledger", "0002_append_only_triggers"),
    ]

    operations = [
        migrations.AddField(
            model_name="chain",
            name="state_hash",
            field=models.CharField(
                default="0000000000000000000000000000000000000000000000000000000000000000", max_length=64),
        ),
        migrations.RunPython(_from_head, migrations.RunPython.noop),
    ]
