import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

CHUNK = 2000


def work_items_fill(apps, schema_editor):
    """A work item for every step open when the lists moved to them (what persistence.work_items_sync writes)."""
    human_task_model = apps.get_model("workflow", "HumanTask")
    work_item_model = apps.get_model("workflow", "WorkItem")
    steps = (
        human_task_model.objects.filter(status__in=("ready", "claimed"))
        .select_related("instance", "instance__definition", "instance__applicant_village")
        .order_by("pk")
    )
    batch = []
    for step in steps.iterator(chunk_size=CHUNK):
        instance = step.instance
        batch.append(
            work_item_model(
                human_task_id=step.pk, instance_id=instance.pk, office_id=instance.office_id, role=step.role,
                status=step.status, assignee_id=step.assignee_id, claimed_at=step.claimed_at,
                applicant_user_id=instance.applicant_user_id, created_at=step.created_at, due_at=step.due_at,
                bpmn_id=step.bpmn_id, name=step.name, tracking_number=instance.tracking_number,
                service_code=instance.definition.code, service_name=instance.definition.name[:200],
                applicant_name=instance.applicant_name, village_id=instance.applicant_village_id,
                village_name=instance.applicant_village.name,
            )
        )
        if len(batch) >= CHUNK:
            work_item_model.objects.bulk_create(batch)
            batch = []
    work_item_model.objects.bulk_create(batch)


def name_keys_fill(apps, schema_editor):
    """The search keys of every request registered before them (what persistence.name_keys_write writes)."""
    from portal.core.text import word_start_keys

    instance_model = apps.get_model("workflow", "ProcessInstance")
    name_key_model = apps.get_model("workflow", "NameKey")
    batch = []
    rows = instance_model.objects.order_by("pk").values_list("pk", "office_id", "applicant_name")
    for pk, office_id, name in rows.iterator(chunk_size=CHUNK):
        batch += [name_key_model(instance_id=pk, office_id=office_id, key=key) for key in word_start_keys(name)]
        if len(batch) >= CHUNK:
            name_key_model.objects.bulk_create(batch)
            batch = []
    name_key_model.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0002_offices"),
        ("workflow", "0012_instance_office"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="WorkItem",
            fields=[
                (
                    "human_task",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name="work_item",
                        serialize=False, to="workflow.humantask", verbose_name="langkah",
                    ),
                ),
                (
                    "instance",
                    models.ForeignKey(
                        db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name="+",
                        to="workflow.processinstance", verbose_name="permohonan",
                    ),
                ),
                (
                    "office",
                    models.ForeignKey(
                        db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name="+",
                        to="directory.office", verbose_name="kecamatan",
                    ),
                ),
                ("role", models.CharField(max_length=16, verbose_name="peran")),
                (
                    "status",
                    models.CharField(
                        choices=[("ready", "Menunggu"), ("claimed", "Sedang dikerjakan"), ("completed", "Selesai"),
                                 ("cancelled", "Dibatalkan")],
                        max_length=16, verbose_name="status",
                    ),
                ),
                (
                    "assignee",
                    models.ForeignKey(
                        blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="diambil oleh",
                    ),
                ),
                ("claimed_at", models.DateTimeField(blank=True, null=True, verbose_name="diambil")),
                (
                    "applicant_user",
                    models.ForeignKey(
                        blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="akun pemohon",
                    ),
                ),
                ("created_at", models.DateTimeField(verbose_name="dibuka")),
                ("due_at", models.DateTimeField(blank=True, null=True, verbose_name="batas waktu")),
                ("bpmn_id", models.CharField(max_length=100, verbose_name="id BPMN")),
                ("name", models.CharField(max_length=200, verbose_name="nama langkah")),
                ("tracking_number", models.CharField(max_length=20, verbose_name="nomor registrasi")),
                ("service_code", models.CharField(max_length=64, verbose_name="kode layanan")),
                ("service_name", models.CharField(max_length=200, verbose_name="nama layanan")),
                ("applicant_name", models.CharField(max_length=100, verbose_name="nama pemohon")),
                (
                    "village",
                    models.ForeignKey(
                        db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name="+",
                        to="directory.village", verbose_name="desa",
                    ),
                ),
                ("village_name", models.CharField(max_length=100, verbose_name="nama desa")),
            ],
            options={
                "verbose_name": "langkah terbuka",
                "verbose_name_plural": "langkah terbuka",
                "ordering": ["created_at", "human_task"],
                "indexes": [
                    models.Index(fields=["office", "role", "created_at", "human_task"], name="work_item_office_role"),
                    models.Index(fields=["office", "role", "due_at", "human_task"], name="work_item_office_due"),
                    models.Index(fields=["office", "due_at", "role", "assignee"], name="work_item_overdue"),
                    models.Index(
                        fields=["office", "role", "assignee", "created_at", "human_task"], name="work_item_assignee"
                    ),
                    models.Index(
                        condition=models.Q(("applicant_user__isnull", False)),
                        fields=["applicant_user", "created_at", "human_task"], name="work_item_applicant",
                    ),
                    models.Index(fields=["instance", "created_at", "human_task"], name="work_item_instance"),
                ],
            },
        ),
        migrations.CreateModel(
            name="NameKey",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "instance",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+",
                        to="workflow.processinstance", verbose_name="permohonan",
                    ),
                ),
                (
                    "office",
                    models.ForeignKey(
                        db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name="+",
                        to="directory.office", verbose_name="kecamatan",
                    ),
                ),
                ("key", models.CharField(max_length=100, verbose_name="kunci nama")),
            ],
            options={
                "verbose_name": "kunci nama pemohon",
                "verbose_name_plural": "kunci nama pemohon",
                "indexes": [
                    models.Index(
                        fields=["office", "key"], name="name_key_office", opclasses=["int8_ops", "varchar_pattern_ops"]
                    ),
                ],
            },
        ),
        migrations.AddIndex(
            model_name="processinstance",
            index=models.Index(fields=["office", "created_at", "id"], name="instance_office_created"),
        ),
        migrations.RunPython(work_items_fill, migrations.RunPython.noop),
        migrations.RunPython(name_keys_fill, migrations.RunPython.noop),
    ]
