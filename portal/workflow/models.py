"""Process definitions, running instances, their human tasks, timers and the audit log.

Lists and dashboards read these plain tables; only commands load the workflow state.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .enums import EventType, HumanTaskStatus, InstanceStatus


class ProcessDefinition(models.Model):
    """One immutable deployed version of a service's BPMN file."""

    code = models.CharField(_("kode layanan"), max_length=64, db_index=True)
    name = models.CharField(_("nama layanan"), max_length=200)
    version = models.PositiveIntegerField(_("versi"))
    sha256 = models.CharField(max_length=64)
    bpmn_source = models.TextField(_("sumber BPMN"))
    spec_json = models.JSONField(_("spesifikasi tersimpan"))
    deployed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    deployed_at = models.DateTimeField(_("waktu pemasangan"))
    is_active = models.BooleanField(_("aktif"), default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="definition_code_version_unique"),
            models.UniqueConstraint(fields=["code", "sha256"], name="definition_code_sha_unique"),
            models.UniqueConstraint(
                fields=["code"], condition=models.Q(is_active=True), name="definition_one_active_per_code"
            ),
        ]
        ordering = ["code", "-version"]
        verbose_name = _("definisi proses")
        verbose_name_plural = _("definisi proses")

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"


class ProcessInstance(models.Model):
    """A citizen's request: one running (or finished) instance of a definition version."""

    tracking_number = models.CharField(_("nomor registrasi"), max_length=20, unique=True)
    definition = models.ForeignKey(ProcessDefinition, on_delete=models.PROTECT, related_name="instances")
    status = models.CharField(max_length=16, choices=InstanceStatus.choices, default=InstanceStatus.RUNNING)
    applicant_nik = models.CharField(_("NIK pemohon"), max_length=16, db_index=True)
    applicant_kk = models.CharField(_("nomor KK"), max_length=16, blank=True)
    applicant_name = models.CharField(_("nama pemohon"), max_length=100)
    applicant_village = models.ForeignKey(
        "directory.Village", on_delete=models.PROTECT, related_name="+", verbose_name=_("desa")
    )
    applicant_phone = models.CharField(_("telepon"), max_length=20, blank=True)
    applicant_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="own_requests"
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    request_data = models.JSONField(_("data permohonan"), default=dict)
    state = models.JSONField(_("status alur"))
    serializer_version = models.CharField(max_length=16)
    # Service-level clock: started when the file is declared complete (`paten.clock`), due after
    # the standard's working days, paused while a step waits for the applicant.
    sla_working_days = models.PositiveIntegerField(_("waktu penyelesaian (hari kerja)"), null=True, blank=True)
    sla_started_at = models.DateTimeField(_("berkas lengkap sejak"), null=True, blank=True)
    sla_due_at = models.DateTimeField(_("perkiraan selesai"), null=True, blank=True, db_index=True)
    sla_paused_since = models.DateTimeField(_("dikembalikan ke pemohon sejak"), null=True, blank=True)
    sla_paused_seconds = models.PositiveIntegerField(_("jam kerja selama di pemohon (detik)"), default=0)
    sla_overdue_notified_at = models.DateTimeField(null=True, blank=True)  # the applicant was told, once
    # The applicant's PIN for the public tracking page as a keyed digest (pins.py); the plain PIN is
    # never stored. Blank for requests registered before PINs existed: those cannot be tracked by PIN.
    access_pin_hash = models.CharField(_("PIN pelacakan (tersandi)"), max_length=128, blank=True, default="")
    # Head of the hash-chained event log, kept here so appending needs no extra read.
    last_event_seq = models.PositiveIntegerField(default=0)
    last_event_hash = models.CharField(max_length=64, default="0" * 64)
    outcome_bpmn_id = models.CharField(max_length=100, blank=True)
    outcome_name = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)

    # Transient, not a field: the plain PIN on the object `request_register` returns, so the
    # registration response can show it once. Empty on every object read from the database.
    access_pin: str = ""

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]
        verbose_name = _("permohonan")
        verbose_name_plural = _("permohonan")

    def __str__(self) -> str:
        return self.tracking_number


class HumanTask(models.Model):
    """A user task of an instance waiting for (or done by) a person of `role`."""

    instance = models.ForeignKey(ProcessInstance, on_delete=models.CASCADE, related_name="human_tasks")
    task_guid = models.CharField(max_length=36)
    bpmn_id = models.CharField(max_length=100)
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=16, db_index=True)
    form = models.JSONField(default=list)
    status = models.CharField(max_length=16, choices=HumanTaskStatus.choices, default=HumanTaskStatus.READY)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    due_at = models.DateTimeField(null=True, blank=True, db_index=True)  # from the step's `paten.due`
    overdue_notified_at = models.DateTimeField(null=True, blank=True)  # its officers were told, once
    claimed_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    completed_data = models.JSONField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["instance", "task_guid"], name="human_task_guid_unique")]
        indexes = [models.Index(fields=["status", "role", "created_at"])]
        ordering = ["created_at", "id"]
        verbose_name = _("langkah")
        verbose_name_plural = _("langkah")

    def __str__(self) -> str:
        return f"{self.instance_id}:{self.bpmn_id}"


class TimerSchedule(models.Model):
    """A timer armed in an instance; the sweep fires rows whose due time has passed."""

    instance = models.ForeignKey(ProcessInstance, on_delete=models.CASCADE, related_name="timers")
    task_guid = models.CharField(max_length=36)
    bpmn_id = models.CharField(max_length=100)
    due_at = models.DateTimeField(db_index=True)
    fired_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["instance", "task_guid"], name="timer_guid_unique")]
        indexes = [models.Index(fields=["fired_at", "cancelled_at", "due_at"])]
        ordering = ["due_at"]


class InstanceEvent(models.Model):
    """Append-only, hash-chained record of every command on an instance (and its effects)."""

    instance = models.ForeignKey(ProcessInstance, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField()
    type = models.CharField(max_length=32, choices=EventType.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_username = models.CharField(max_length=150, blank=True)
    at = models.DateTimeField()
    payload = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["instance", "seq"], name="event_seq_unique")]
        ordering = ["instance", "seq"]
        verbose_name = _("peristiwa")
        verbose_name_plural = _("peristiwa")
