import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def load_regions(apps, schema_editor):
    from portal.directory.services import regions_sync

    regions_sync(
        office_model=apps.get_model("directory", "Office"), village_model=apps.get_model("directory", "Village")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Office",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("code", models.CharField(max_length=8, unique=True, verbose_name="kode Kemendagri")),
                ("name", models.CharField(max_length=100, unique=True, verbose_name="nama kecamatan")),
                ("slug", models.SlugField(max_length=40, unique=True, verbose_name="nama singkat di alamat web")),
                ("short", models.CharField(max_length=16, unique=True, verbose_name="kode surat")),
                (
                    "regency",
                    models.CharField(
                        default="PEMERINTAH KABUPATEN PENAJAM PASER UTARA",
                        max_length=200,
                        verbose_name="pemerintah daerah",
                    ),
                ),
                ("address", models.CharField(blank=True, max_length=300, verbose_name="alamat kantor")),
                (
                    "city",
                    models.CharField(
                        help_text="Tempat di atas tanggal surat.", max_length=100, verbose_name="tempat surat"
                    ),
                ),
                ("phone", models.CharField(blank=True, max_length=40, verbose_name="telepon kantor")),
                ("email", models.EmailField(blank=True, max_length=254, verbose_name="surel kantor")),
                ("emblem", models.FileField(blank=True, upload_to="offices/", verbose_name="lambang daerah")),
                ("head_name", models.CharField(blank=True, max_length=200, verbose_name="nama camat")),
                ("head_nip", models.CharField(blank=True, max_length=18, verbose_name="NIP camat")),
                (
                    "deputy_title",
                    models.CharField(default="Sekretaris Kecamatan", max_length=100, verbose_name="jabatan sekcam"),
                ),
                (
                    "accepts_other_villages",
                    models.BooleanField(default=False, verbose_name="menerima pemohon dari kecamatan lain"),
                ),
                ("is_active", models.BooleanField(default=True, verbose_name="melayani PATEN")),
            ],
            options={"ordering": ["name"], "verbose_name": "kecamatan", "verbose_name_plural": "kecamatan"},
        ),
        migrations.AlterModelOptions(
            name="village",
            options={"ordering": ["code"], "verbose_name": "desa/kelurahan", "verbose_name_plural": "desa/kelurahan"},
        ),
        migrations.AlterField(
            model_name="village", name="name", field=models.CharField(max_length=100, verbose_name="nama")
        ),
        migrations.AddField(
            model_name="village",
            name="office",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="villages",
                to="directory.office",
                verbose_name="kecamatan",
            ),
        ),
        migrations.RunPython(load_regions, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="village",
            name="office",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="villages",
                to="directory.office",
                verbose_name="kecamatan",
            ),
        ),
        migrations.AddConstraint(
            model_name="village",
            constraint=models.UniqueConstraint(fields=("office", "name"), name="village_name_in_office_unique"),
        ),
        migrations.CreateModel(
            name="Staff",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("position", models.CharField(blank=True, max_length=100, verbose_name="jabatan")),
                ("nip", models.CharField(blank=True, max_length=18, verbose_name="NIP")),
                (
                    "office",
                    models.ForeignKey(
                        blank=True,
                        help_text="Kosongkan untuk pegawai tingkat kabupaten.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="staff",
                        to="directory.office",
                        verbose_name="kecamatan",
                    ),
                ),
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="staff_posting",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="pengguna",
                    ),
                ),
            ],
            options={
                "ordering": ["office__name", "user__username"],
                "verbose_name": "penempatan pegawai",
                "verbose_name_plural": "penempatan pegawai",
            },
        ),
    ]
