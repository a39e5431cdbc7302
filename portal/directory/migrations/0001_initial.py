from django.db import migrations, models


class Migration(migrations.Migration):
    # The villages are loaded, with their kecamatan, by 0002.
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
    ]
