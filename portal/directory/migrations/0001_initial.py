from django.db import migrations, models


def load_villages(apps, schema_editor):
    from portal.directory.services import villages_sync

    villages_sync(village_model=apps.get_model("directory", "Village"))


class Migration(migrations.Migration):
    initial = True
    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Village",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("code", models.CharField(max_length=13, unique=True, verbose_name="kode Kemendagri")),
                ("name", models.CharField(max_length=100, unique=True, verbose_name="nama")),
                ("kind", models.CharField(default="desa", max_length=10, verbose_name="jenis")),
            ],
            options={"ordering": ["code"], "verbose_name": "desa", "verbose_name_plural": "desa"},
        ),
        migrations.RunPython(load_villages, migrations.RunPython.noop),
    ]
