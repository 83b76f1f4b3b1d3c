"""Index entries become one row per field, value and batch holding the records' ids and match tags
(`sealing.postings`) instead of one row per record: an import writes a few hundred rows a batch, a search
reads a few hundred. The entries already stored are gathered per field and value."""

from collections.abc import Iterator

from django.db import migrations, models

from itaku.vault import sealing

CHUNK = 2000  # old entries read at a time: the migration's memory stays flat, whatever the datasets' sizes


def _runs(old) -> Iterator[tuple[int, list[tuple[int, int]]]]:
    """(value, [(record, tag)…]) of one dataset's field in value order, its old entries read a page at a time
    (each page its own query: no cursor stays open while the new rows go in)."""
    value, pairs, after = None, [], None
    while True:
        page = old if after is None else old.filter(
            models.Q(value__gt=after[0]) | models.Q(value=after[0], record_id__gt=after[1]))
        rows = list(page.order_by("value", "record_id").values_list("value", "record_id", "tag")[:CHUNK])
        for each, record, tag in rows:
            if each != value and pairs:
                yield value, pairs
                pairs = []
            value = each
            pairs.append((record, tag))
        if len(rows) < CHUNK:
            break
        after = rows[-1][:2]
    if pairs:
        yield value, pairs


def _gather(apps, schema_editor) -> None:
    entry_model = apps.get_model("vault", "IndexEntry")
    entries = entry_model.objects.using(schema_editor.connection.alias)
    old = entries.filter(record__isnull=False)
    for dataset, field in list(old.values_list("dataset_id", "field_id").distinct().order_by("dataset_id",
                                                                                                "field_id")):
        mine, made = old.filter(dataset_id=dataset, field_id=field), []
        for value, pairs in _runs(mine):
            made.append(entry_model(dataset_id=dataset, field_id=field, value=value, record_id=None, tag=None,
                                    postings=sealing.postings([r for r, _ in pairs], [t for _, t in pairs])))
            if len(made) == CHUNK:
                entries.bulk_create(made)
                made = []
        entries.bulk_create(made)
        mine.delete()


class Migration(migrations.Migration):

    dependencies = [
        ("vault", "0007_index_match_tags"),
    ]

    operations = [
        migrations.AlterField(
            model_name="indexentry", name="record",
            field=models.ForeignKey(db_constraint=False, null=True, on_delete=models.deletion.PROTECT,
                                    related_name="+", to="vault.record"),
        ),
        migrations.AlterField(model_name="indexentry", name="tag", field=models.BigIntegerField(null=True)),
        migrations.AddField(model_name="indexentry", name="postings", field=models.BinaryField(default=b"")),
        migrations.RunPython(_gather, migrations.RunPython.noop),  # the old lookup index serves its pages
        migrations.RemoveIndex(model_name="indexentry", name="vault_index_match"),
        migrations.RemoveField(model_name="indexentry", name="record"),
        migrations.RemoveField(model_name="indexentry", name="tag"),
        migrations.AlterField(model_name="indexentry", name="postings", field=models.BinaryField()),
        migrations.AddIndex(
            model_name="indexentry",
            index=models.Index(fields=["dataset", "field", "value"], name="vault_index_value"),
        ),
    ]
