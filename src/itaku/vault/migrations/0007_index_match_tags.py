"""Index entries gain their record's match tag (crypto.BlindIndex.tags), computed from the decrypted values
of the records already stored; the lookup index becomes one that holds the tag."""

from django.conf import settings
from django.db import migrations, models

from itaku.vault import crypto

CHUNK = 2000


def _fill_tags(apps, schema_editor) -> None:
    dataset_model = apps.get_model("vault", "Dataset")
    record_model = apps.get_model("vault", "Record")
    entry_model = apps.get_model("vault", "IndexEntry")
    entries = entry_model.objects.using(schema_editor.connection.alias)
    if not entries.exists():
        return
    master = crypto.LocalMasterKeys.parse(settings.VAULT_MASTER_KEY, source="ITAKU_VAULT_MASTER_KEY")
    for dataset in dataset_model.objects.filter(pk__in=entries.values("dataset_id")):
        if dataset.wrapped_data_key is None or dataset.wrapped_index_key is None:
            entries.filter(dataset_id=dataset.pk).update(tag=0)  # disposed of: unreadable, being deleted
            continue
        cipher, index = crypto.open_dataset(crypto.WrappedKeys(dataset.wrapped_data_key, dataset.wrapped_index_key),
                                            master, index_bits=dataset.index_bits)
        fields = list(dataset.fields.order_by("position").values_list("pk", "searchable"))
        keyed = {at: index.keyed_field(pk) for at, (pk, searchable) in enumerate(fields) if searchable}
        records = record_model.objects.filter(dataset_id=dataset.pk).order_by("pk")
        for found in records.only("pk", "ciphertext", "revision", "schema_version").iterator(chunk_size=CHUNK):
            values = cipher.open_record(bytes(found.ciphertext), dataset=dataset.pk, record=found.pk,
                                        version=(found.revision << 32) | found.schema_version)
            for at, of in keyed.items():
                if (pair := of(values[at])) is not None:
                    (tag,) = index.tags([pair[1]], [found.pk])
                    entries.filter(record_id=found.pk, field_id=fields[at][0]).update(tag=tag)


class Migration(migrations.Migration):

    dependencies = [
        ("vault", "0006_share"),
    ]

    operations = [
        migrations.AddField(model_name="indexentry", name="tag", field=models.BigIntegerField(null=True)),
        migrations.RunPython(_fill_tags, migrations.RunPython.noop),
        migrations.AlterField(model_name="indexentry", name="tag", field=models.BigIntegerField()),
        migrations.RemoveIndex(model_name="indexentry", name="vault_index_lookup"),
        migrations.AddIndex(
            model_name="indexentry",
            index=models.Index(fields=["dataset", "field", "value", "record", "tag"], name="vault_index_match"),
        ),
    ]
