"""Status values of the workflow app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class InstanceStatus(models.TextChoices):
    RUNNING = "running", _("Sedang diproses")
    COMPLETED = "completed", _("Selesai")
    # The diagram could not advance: an incident an administrator retries or cancels; sweeps skip it.
    FAILED = "failed", _("Gangguan proses")
    CANCELLED = "cancelled", _("Dibatalkan")


# A request no command moves on any more: what the nightly archive looks at (services/archive.py).
FINISHED_INSTANCE = (InstanceStatus.COMPLETED, InstanceStatus.CANCELLED)


class HumanTaskStatus(models.TextChoices):
    READY = "ready", _("Menunggu")
    CLAIMED = "claimed", _("Sedang dikerjakan")
    COMPLETED = "completed", _("Selesai")
    CANCELLED = "cancelled", _("Dibatalkan")


OPEN_HUMAN_TASK = (HumanTaskStatus.READY, HumanTaskStatus.CLAIMED)


class EventType(models.TextChoices):
    DEFINITION_DEPLOYED = "definition_deployed", _("Definisi proses dipasang")
    PART_DEPLOYED = "part_deployed", _("Tabel keputusan atau sub-proses bersama dipasang")
    INSTANCE_STARTED = "instance_started", _("Permohonan didaftarkan")
    HUMAN_TASK_CREATED = "human_task_created", _("Langkah menunggu petugas")
    HUMAN_TASK_CLAIMED = "human_task_claimed", _("Langkah diambil")
    HUMAN_TASK_RELEASED = "human_task_released", _("Langkah dilepas")
    HUMAN_TASK_COMPLETED = "human_task_completed", _("Langkah diselesaikan")
    HUMAN_TASK_CANCELLED = "human_task_cancelled", _("Langkah dibatalkan")
    TIMER_FIRED = "timer_fired", _("Batas waktu tercapai")
    MESSAGE_DELIVERED = "message_delivered", _("Pesan diterima")
    MESSAGE_UNDELIVERED = "message_undelivered", _("Pesan ditolak karena tidak sedang ditunggu")
    LETTER_NUMBERED = "letter_numbered", _("Surat ditandatangani dan diberi nomor")
    LETTER_ISSUED = "letter_issued", _("Surat diterbitkan")
    DOCUMENT_UPLOADED = "document_uploaded", _("Dokumen persyaratan diunggah")
    REQUIREMENTS_CHECKED = "requirements_checked", _("Kelengkapan persyaratan diperiksa")
    INSTANCE_COMPLETED = "instance_completed", _("Permohonan selesai")
    PIN_REISSUED = "pin_reissued", _("PIN pelacakan diterbitkan ulang")
    INSTANCE_FAILED = "instance_failed", _("Proses terhenti karena gangguan")
    INSTANCE_RETRIED = "instance_retried", _("Proses dijalankan ulang")
    INSTANCE_CANCELLED = "instance_cancelled", _("Permohonan dibatalkan")
    INSTANCE_ARCHIVED = "instance_archived", _("Riwayat permohonan dipindahkan ke arsip")
    INSTANCE_MIGRATED = "instance_migrated", _("Permohonan dipindahkan ke versi proses lain")
    INSTANCE_MIGRATION_REVERTED = "instance_migration_reverted", _("Pemindahan versi dibatalkan")
