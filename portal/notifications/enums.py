from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    REGISTERED = "registered", _("Permohonan terdaftar")
    RETURNED = "returned", _("Berkas dikembalikan untuk dilengkapi")
    READY = "ready", _("Dokumen siap diambil")
    OVERDUE = "overdue", _("Permohonan melewati perkiraan selesai")
    STEP_OVERDUE = "step_overdue", _("Langkah melewati batas waktu")
    REMINDER = "reminder", _("Pengingat langkah")


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("Menunggu dikirim")
    SENT = "sent", _("Terkirim")
    FAILED = "failed", _("Gagal")
