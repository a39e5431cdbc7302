"""History kept apart from work: the steps of archived requests, and when a request was archived."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

EVENT_TYPES = [
    ("definition_deployed", "Definisi proses dipasang"),
    ("instance_started", "Permohonan didaftarkan"),
    ("human_task_created", "Langkah menunggu petugas"),
    ("human_task_claimed", "Langkah diambil"),
    ("human_task_released", "Langkah dilepas"),
    ("human_task_completed", "Langkah diselesaikan"),
    ("human_task_cancelled", "Langkah dibatalkan"),
    ("timer_fired", "Batas waktu tercapai"),
    ("letter_numbered", "Surat ditandatangani dan diberi nomor"),
    ("letter_issued", "Surat diterbitkan"),
    ("document_uploaded", "Dokumen persyaratan diunggah"),
    ("requirements_checked", "Kelengkapan persyaratan diperiksa"),
    ("instance_completed", "Permohonan selesai"),
    ("pin_reissued", "PIN pelacakan diterbitkan ulang"),
    ("instance_failed", "Proses terhenti karena gangguan"),
    ("instance_retried", "Proses dijalankan ulang"),
    ("instance_cancelled", "Permohonan dibatalkan"),
    ("instance_archived", "Riwayat permohonan dipindahkan ke arsip"),
]
STEP_STATUSES = [
    ("ready", "Menunggu"),
    ("claimed", "Sedang dikerjakan"),
    ("completed", "Selesai"),
    ("cancelled", "Dibatalkan"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("workflow", "0014_work_item_lane"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="processinstance",
            name="archived_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="diarsipkan"),
        ),
        migrations.AddIndex(
            model_name="processinstance",
            index=models.Index(
                condition=models.Q(("archived_at__isnull", True), ("status__in", ("completed", "cancelled"))),
                fields=["completed_at", "id"],
                name="instance_to_archive",
            ),
        ),
        migrations.CreateModel(
            name="HumanTaskHistory",
            fields=[
                ("id", models.BigIntegerField(primary_key=True, serialize=False, verbose_name="nomor langkah")),
                ("task_guid", models.CharField(max_length=36, verbose_name="id langkah")),
                ("bpmn_id", models.CharField(max_length=100, verbose_name="id BPMN")),
                ("name", models.CharField(max_length=200, verbose_name="nama langkah")),
                ("role", models.CharField(max_length=16, verbose_name="peran")),
                ("form", models.JSONField(default=list, verbose_name="formulir")),
                ("properties", models.JSONField(default=dict, verbose_name="sifat langkah")),
                ("status", models.CharField(choices=STEP_STATUSES, max_length=16, verbose_name="status")),
                ("created_at", models.DateTimeField(verbose_name="dibuka")),
                ("due_at", models.DateTimeField(blank=True, null=True, verbose_name="batas waktu")),
                ("claimed_at", models.DateTimeField(blank=True, null=True, verbose_name="diambil")),
                ("completed_at", models.DateTimeField(blank=True, null=True, verbose_name="diselesaikan")),
                ("completed_data", models.JSONField(blank=True, null=True, verbose_name="isian")),
                (
                    "assignee",
                    models.ForeignKey(
                        blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="diambil oleh",
                    ),
                ),
                (
                    "completed_by",
                    models.ForeignKey(
                        blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="diselesaikan oleh",
                    ),
                ),
                (
                    "instance",
                    models.ForeignKey(
                        db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name="+",
                        to="workflow.processinstance", verbose_name="permohonan",
                    ),
                ),
            ],
            options={
                "verbose_name": "riwayat langkah",
                "verbose_name_plural": "riwayat langkah",
                "ordering": ["created_at", "id"],
                "indexes": [models.Index(fields=["instance", "created_at"], name="step_history_instance")],
            },
        ),
        migrations.AlterField(
            model_name="definitionevent",
            name="type",
            field=models.CharField(choices=EVENT_TYPES, max_length=32, verbose_name="jenis"),
        ),
        migrations.AlterField(
            model_name="instanceevent",
            name="type",
            field=models.CharField(choices=EVENT_TYPES, max_length=32, verbose_name="jenis"),
        ),
    ]
