"""Index entries become one row per field, value and batch holding the records' ids and match tags
(`sealing.postings`) instead of one row per record: an import writes a few hundred rows a batch, a search
reads a few hundred. The entries already stored are gathered per field and value."""

from django.db import migrations, models

from itaku.vault import sealing

CHUNK = 2000


def _gather(apps, schema_editor) -> None:
    entry_model = apps.get_model("vault", "IndexEntry")
    entries = entry_model.objects.using(schema_editor.connection.alias)
    old = entries.filter(record__isnull=False).order_by("dataset_id", "field_id", "value", "record_id")
    groups: dict[tuple[int, int, int], list[tuple[int, int]]] = {}
    for dataset, field, value, record, tag in old.values_list("dataset_id", "field_id", "value", "record_id", "tag"
                                                              ).iterator(chunk_size=CHUNK):
        groups.setdefault((dataset, field, value), []).append((record, tag))
    entries.filter(record__isnull=False).delete()
    entries.bulk_create([
        entry_model(dataset_id=dataset, field_id=field, value=value,
                    postings=sealing.postings([r for r, _ in pairs], [t for _, t in pairs]), record_id=None, tag=None)
        for (dataset, field, value), pairs in groups.items()], batch_size=CHUNK)


class Migration(migrations.Migration):

    dependencies = [
        ("vault", "0007_index_match_tags"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="indexentry", name="vault_index_match"),
        migrations.AlterField(
            model_name="indexentry", name="record",
            field=models.ForeignKey(db_constraint=False, null=True, on_delete=models.deletion.PROTECT,
                                    related_name="+", to="vault.record"),
        ),
        migrations.AlterField(model_name="indexentry", name="tag", field=models.BigIntegerField(null=True)),
        migrations.AddField(model_name="indexentry", name="postings", field=models.BinaryField(default=b"")),
        migrations.RunPython(_gather, migrations.RunPython.noop),
        migrations.RemoveField(model_name="indexentry", name="record"),
        migrations.RemoveField(model_name="indexentry", name="tag"),
        migrations.AlterField(model_name="indexentry", name="postings", field=models.BinaryField()),
        migrations.AddIndex(
            model_name="indexentry",
            index=models.Index(fields=["dataset", "field", "value"], name="vault_index_value"),
        ),
    ]
