"""Process definitions, running instances, their human tasks, timers and the audit log.

Lists and dashboards read these plain tables; only commands load the workflow state.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .enums import FINISHED_INSTANCE, EventType, HumanTaskStatus, InstanceStatus
from .models_deployments import DeployedVersion


class ProcessDefinition(DeployedVersion):
    """One immutable deployed version of a service's BPMN file."""

    code = models.CharField(_("kode layanan"), max_length=64, db_index=True)
    name = models.CharField(_("nama layanan"), max_length=200)
    bpmn_source = models.TextField(_("sumber BPMN"))
    spec_json = models.JSONField(_("spesifikasi tersimpan"))
    # The decision tables and shared sub-processes this version was built with (copied into its spec).
    parts: models.ManyToManyField[DefinitionPart, Any] = models.ManyToManyField(
        "DefinitionPart", blank=True, related_name="services", verbose_name=_("berkas bersama")
    )

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
    definition = models.ForeignKey(
        ProcessDefinition, on_delete=models.PROTECT, related_name="instances", verbose_name=_("definisi proses")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=InstanceStatus.choices, default=InstanceStatus.RUNNING
    )
    applicant_nik = models.CharField(_("NIK pemohon"), max_length=16, db_index=True)
    applicant_kk = models.CharField(_("nomor KK"), max_length=16, blank=True)
    applicant_name = models.CharField(_("nama pemohon"), max_length=100)
    applicant_village = models.ForeignKey(
        "directory.Village", on_delete=models.PROTECT, related_name="+", verbose_name=_("desa")
    )
    applicant_phone = models.CharField(_("telepon"), max_length=20, blank=True)
    # The kecamatan that serves the request: the applicant's village's, or the one she chose.
    office = models.ForeignKey(
        "directory.Office", on_delete=models.PROTECT, related_name="+", verbose_name=_("kecamatan")
    )
    applicant_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="own_requests",
        verbose_name=_("akun pemohon"),
    )  # fmt: skip
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("didaftarkan oleh"),
    )  # fmt: skip
    request_data = models.JSONField(_("data permohonan"), default=dict)
    state = models.JSONField(_("status alur"))
    serializer_version = models.CharField(_("versi format status"), max_length=16)
    # Service-level clock: started when the file is declared complete (`paten.clock`), due after
    # the standard's working days, paused while a step waits for the applicant.
    sla_working_days = models.PositiveIntegerField(_("waktu penyelesaian (hari kerja)"), null=True, blank=True)
    sla_started_at = models.DateTimeField(_("berkas lengkap sejak"), null=True, blank=True)
    sla_due_at = models.DateTimeField(_("perkiraan selesai"), null=True, blank=True, db_index=True)
    sla_paused_since = models.DateTimeField(_("dikembalikan ke pemohon sejak"), null=True, blank=True)
    sla_paused_seconds = models.PositiveIntegerField(_("jam kerja selama di pemohon (detik)"), default=0)
    # The applicant was told, once, that the request is late.
    sla_overdue_notified_at = models.DateTimeField(_("pemohon diberi tahu keterlambatan"), null=True, blank=True)
    # The applicant's PIN for the public tracking page as a keyed digest (pins.py); the plain PIN is
    # never stored. Blank for requests registered before PINs existed: those cannot be tracked by PIN.
    access_pin_hash = models.CharField(_("PIN pelacakan (tersandi)"), max_length=128, blank=True, default="")
    # Head of the hash-chained event log, kept here so appending needs no extra read.
    last_event_seq = models.PositiveIntegerField(_("nomor peristiwa terakhir"), default=0)
    last_event_hash = models.CharField(_("sidik peristiwa terakhir"), max_length=64, default="0" * 64)
    outcome_bpmn_id = models.CharField(_("akhir proses (id BPMN)"), max_length=100, blank=True)
    outcome_name = models.CharField(_("hasil"), max_length=200, blank=True)
    # An incident: what failed, for the administrator who retries or cancels it (commands.py).
    failure = models.JSONField(_("gangguan"), null=True, blank=True)
    failed_at = models.DateTimeField(_("terhenti sejak"), null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(_("didaftarkan"))
    updated_at = models.DateTimeField(_("diperbarui"))
    completed_at = models.DateTimeField(_("selesai"), null=True, blank=True)
    # Moved out of the hot tables (services/archive.py): its steps are read from HumanTaskHistory.
    archived_at = models.DateTimeField(_("diarsipkan"), null=True, blank=True)

    # Transient, not a field: the plain PIN on the object `request_register` returns, so the
    # registration response can show it once. Empty on every object read from the database.
    access_pin: str = ""

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["office", "status", "created_at"], name="instance_office_status"),
            # The auditor's list of recent requests, newest first, one office after another.
            models.Index(fields=["office", "created_at", "id"], name="instance_office_created"),
            # What the nightly archive still has to move: finished, not archived, oldest first.
            models.Index(
                fields=["completed_at", "id"],
                name="instance_to_archive",
                condition=models.Q(archived_at__isnull=True, status__in=FINISHED_INSTANCE),
            ),
        ]
        verbose_name = _("permohonan")
        verbose_name_plural = _("permohonan")

    def __str__(self) -> str:
        return self.tracking_number


class HumanTask(models.Model):
    """A user task of an instance waiting for (or done by) a person of `role`.

    The row carries what the pages need, so no page restores the workflow: the step's form, what
    the diagram declares of it (`properties`) and the request's data as it stood when the step
    opened (`data`).
    """

    instance = models.ForeignKey(
        ProcessInstance, on_delete=models.CASCADE, related_name="human_tasks", verbose_name=_("permohonan")
    )
    task_guid = models.CharField(_("id langkah"), max_length=36)
    bpmn_id = models.CharField(_("id BPMN"), max_length=100)
    name = models.CharField(_("nama langkah"), max_length=200)
    role = models.CharField(_("peran"), max_length=16, db_index=True)
    form = models.JSONField(_("formulir"), default=list)
    # {"decision": {...}, "duty": ..., "starts_clock": bool, "issues_letter": bool, "letter_number_field": ...}
    properties = models.JSONField(_("sifat langkah"), default=dict)
    data = models.JSONField(_("data saat langkah dibuka"), default=dict)
    status = models.CharField(
        _("status"), max_length=16, choices=HumanTaskStatus.choices, default=HumanTaskStatus.READY
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("diambil oleh"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("dibuka"))
    due_at = models.DateTimeField(_("batas waktu"), null=True, blank=True, db_index=True)  # from `paten.due`
    overdue_notified_at = models.DateTimeField(_("petugas diberi tahu keterlambatan"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("diambil"), null=True, blank=True)
    completed_at = models.DateTimeField(_("diselesaikan"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("diselesaikan oleh"),
    )  # fmt: skip
    completed_data = models.JSONField(_("isian"), null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["instance", "task_guid"], name="human_task_guid_unique")]
        indexes = [models.Index(fields=["status", "role", "created_at"])]
        ordering = ["created_at", "id"]
        verbose_name = _("langkah")
        verbose_name_plural = _("langkah")

    def __str__(self) -> str:
        return f"{self.instance_id}:{self.bpmn_id}"


class HumanTaskHistory(models.Model):
    """A step of an archived request, moved out of HumanTask (services/archive.py) under the id it had,
    so the links, events and letters that name it still find it. It keeps what the pages of a finished
    request read; not the data snapshot, which served the open step's form."""

    id = models.BigIntegerField(_("nomor langkah"), primary_key=True)
    instance = models.ForeignKey(
        ProcessInstance, on_delete=models.CASCADE, related_name="+", db_index=False, verbose_name=_("permohonan")
    )
    task_guid = models.CharField(_("id langkah"), max_length=36)
    bpmn_id = models.CharField(_("id BPMN"), max_length=100)
    name = models.CharField(_("nama langkah"), max_length=200)
    role = models.CharField(_("peran"), max_length=16)
    form = models.JSONField(_("formulir"), default=list)
    properties = models.JSONField(_("sifat langkah"), default=dict)
    status = models.CharField(_("status"), max_length=16, choices=HumanTaskStatus.choices)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        db_index=False, verbose_name=_("diambil oleh"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("dibuka"))
    due_at = models.DateTimeField(_("batas waktu"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("diambil"), null=True, blank=True)
    completed_at = models.DateTimeField(_("diselesaikan"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        db_index=False, verbose_name=_("diselesaikan oleh"),
    )  # fmt: skip
    completed_data = models.JSONField(_("isian"), null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["instance", "created_at"], name="step_history_instance")]
        ordering = ["created_at", "id"]
        verbose_name = _("riwayat langkah")
        verbose_name_plural = _("riwayat langkah")

    def __str__(self) -> str:
        return f"{self.instance_id}:{self.bpmn_id}"


# A request's step as its pages read it: the hot row, or the history row once the request is archived.
Step = HumanTask | HumanTaskHistory


class WorkItem(models.Model):
    """An open step as the lists show it: one narrow row per ready or claimed human task.

    The worklist, the task API, the camat's inbox and the overdue counts read these rows only, each
    page through an index that serves its filter and its order (core/keyset.py), so a page costs
    the same with a hundred or a hundred thousand requests open. The rows are kept equal to the open
    human tasks by persistence.work_items_write on the way out of every command; nothing else
    writes them.
    """

    human_task = models.OneToOneField(
        HumanTask, primary_key=True, on_delete=models.CASCADE, related_name="work_item", verbose_name=_("langkah")
    )
    instance = models.ForeignKey(
        ProcessInstance, on_delete=models.CASCADE, related_name="+", db_index=False, verbose_name=_("permohonan")
    )
    office = models.ForeignKey(
        "directory.Office", on_delete=models.PROTECT, related_name="+", db_index=False, verbose_name=_("kecamatan")
    )
    role = models.CharField(_("peran"), max_length=16)
    # Whose list the step is on: its role's, but the counter's for an applicant without an account
    # (the counter enters her corrections), so each list is one index partition.
    lane = models.CharField(_("daftar"), max_length=16)
    status = models.CharField(_("status"), max_length=16, choices=HumanTaskStatus.choices)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        db_index=False, verbose_name=_("diambil oleh"),
    )  # fmt: skip
    claimed_at = models.DateTimeField(_("diambil"), null=True, blank=True)
    # The applicant's own account, for the steps waiting for her (role pemohon).
    applicant_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        db_index=False, verbose_name=_("akun pemohon"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("dibuka"))
    due_at = models.DateTimeField(_("batas waktu"), null=True, blank=True)
    bpmn_id = models.CharField(_("id BPMN"), max_length=100)
    name = models.CharField(_("nama langkah"), max_length=200)
    tracking_number = models.CharField(_("nomor registrasi"), max_length=20)
    service_code = models.CharField(_("kode layanan"), max_length=64)
    service_name = models.CharField(_("nama layanan"), max_length=200)
    applicant_name = models.CharField(_("nama pemohon"), max_length=100)
    village = models.ForeignKey(
        "directory.Village", on_delete=models.PROTECT, related_name="+", db_index=False, verbose_name=_("desa")
    )
    village_name = models.CharField(_("nama desa"), max_length=100)

    class Meta:
        indexes = [
            # An office's list of a role, oldest first: the task API, the worklist, the camat's inbox.
            models.Index(fields=["office", "lane", "created_at", "human_task"], name="work_item_office_lane"),
            # ... and by due time: the late ones, the most late first.
            models.Index(fields=["office", "lane", "due_at", "human_task"], name="work_item_office_due"),
            # Late steps of an office counted per role and officer, from the index alone.
            models.Index(fields=["office", "due_at", "role", "assignee"], name="work_item_overdue"),
            # An officer's own steps on a list, oldest first (the worklist's first band).
            models.Index(fields=["office", "lane", "assignee", "created_at", "human_task"], name="work_item_assignee"),
            models.Index(
                fields=["applicant_user", "created_at", "human_task"],
                name="work_item_applicant",
                condition=models.Q(applicant_user__isnull=False),
            ),
            models.Index(fields=["instance", "created_at", "human_task"], name="work_item_instance"),
        ]
        ordering = ["created_at", "human_task_id"]  # the column itself: no join to the step's own ordering
        verbose_name = _("langkah terbuka")
        verbose_name_plural = _("langkah terbuka")

    def __str__(self) -> str:
        return f"{self.tracking_number}:{self.bpmn_id}"


class NameKey(models.Model):
    """A word-start of an applicant's name, normalized (core.text.search_key): what the auditor's
    search finds a request by. "Siti Nur Aminah" has three: "siti nur aminah", "nur aminah", "aminah"."""

    instance = models.ForeignKey(
        ProcessInstance, on_delete=models.CASCADE, related_name="+", verbose_name=_("permohonan")
    )
    office = models.ForeignKey(
        "directory.Office", on_delete=models.PROTECT, related_name="+", db_index=False, verbose_name=_("kecamatan")
    )
    key = models.CharField(_("kunci nama"), max_length=100)

    class Meta:
        indexes = [
            # A prefix search within an office; on PostgreSQL the pattern operator class serves LIKE 'x%'
            # whatever the database's collation (other databases ignore it).
            models.Index(
                fields=["office", "key"], name="name_key_office", opclasses=["int8_ops", "varchar_pattern_ops"]
            ),
        ]
        verbose_name = _("kunci nama pemohon")
        verbose_name_plural = _("kunci nama pemohon")


class TimerSchedule(models.Model):
    """A timer armed in an instance; the sweep fires rows whose due time has passed."""

    instance = models.ForeignKey(
        ProcessInstance, on_delete=models.CASCADE, related_name="timers", verbose_name=_("permohonan")
    )
    task_guid = models.CharField(_("id pengatur waktu"), max_length=36)
    bpmn_id = models.CharField(_("id BPMN"), max_length=100)
    due_at = models.DateTimeField(_("jatuh tempo"), db_index=True)
    fired_at = models.DateTimeField(_("berbunyi"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("dibatalkan"), null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["instance", "task_guid"], name="timer_guid_unique")]
        indexes = [models.Index(fields=["fired_at", "cancelled_at", "due_at"])]
        ordering = ["due_at"]
        verbose_name = _("pengatur waktu")
        verbose_name_plural = _("pengatur waktu")


class InstanceEvent(models.Model):
    """Append-only, hash-chained record of every command on an instance (and its effects)."""

    instance = models.ForeignKey(
        ProcessInstance, on_delete=models.PROTECT, related_name="events", verbose_name=_("permohonan")
    )
    seq = models.PositiveIntegerField(_("nomor urut"))
    type = models.CharField(_("jenis"), max_length=32, choices=EventType.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("pelaku"),
    )  # fmt: skip
    actor_username = models.CharField(_("nama pengguna pelaku"), max_length=150, blank=True)
    at = models.DateTimeField(_("waktu"))
    # Copies of the payload's step ids, indexed, so a step's events are found without reading payloads.
    task_guid = models.CharField(_("id langkah"), max_length=36, blank=True, db_index=True)
    bpmn_id = models.CharField(_("id BPMN"), max_length=100, blank=True, db_index=True)
    payload = models.JSONField(_("isi"), default=dict)
    prev_hash = models.CharField(_("sidik sebelumnya"), max_length=64)
    hash = models.CharField(_("sidik"), max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["instance", "seq"], name="event_seq_unique")]
        ordering = ["instance", "seq"]
        verbose_name = _("peristiwa")
        verbose_name_plural = _("peristiwa")

    def __str__(self) -> str:
        return f"{self.instance_id}#{self.seq} {self.type}"


# Deployments' own records live beside (a module of their own keeps this one readable).
from .models_deployments import DefinitionEvent as DefinitionEvent  # noqa: E402
from .models_deployments import DefinitionPart as DefinitionPart  # noqa: E402
from .models_migrations import InstanceMigration as InstanceMigration  # noqa: E402
