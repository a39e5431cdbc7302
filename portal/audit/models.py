"""The transparency log: every request event sealed, in seal order, into one RFC 6962 Merkle tree,
and the signed checkpoints of that tree.

A leaf names its event by tracking number and sequence number (not by a database link), so a
deleted or rewritten event is found and named from the leaf that sealed it. Leaves, the complete
subtrees above them and checkpoints are append-only (database triggers, like the events').
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LogLeaf(models.Model):
    """One sealed event: its position in the tree and the leaf hash of what it was when sealed."""

    index = models.BigIntegerField(_("posisi"), primary_key=True)
    event_id = models.BigIntegerField(_("id peristiwa"), unique=True)
    tracking_number = models.CharField(_("nomor registrasi"), max_length=32, db_index=True)
    seq = models.PositiveIntegerField(_("nomor urut"))
    leaf_hash = models.CharField(_("sidik daun"), max_length=64)
    sealed_at = models.DateTimeField(_("waktu disegel"))

    class Meta:
        ordering = ["index"]
        verbose_name = _("daun log")
        verbose_name_plural = _("daun log")

    def __str__(self) -> str:
        return f"{self.index}: {self.tracking_number}#{self.seq}"


class LogNode(models.Model):
    """The hash of a complete subtree of 2**level leaves starting at leaf index * 2**level (level >= 1)."""

    level = models.PositiveSmallIntegerField(_("tingkat"))
    index = models.BigIntegerField(_("posisi"))
    hash = models.CharField(_("sidik"), max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["level", "index"], name="log_node_unique")]
        verbose_name = _("simpul log")
        verbose_name_plural = _("simpul log")

    def __str__(self) -> str:
        return f"{self.level}/{self.index}"


class LogHead(models.Model):
    """The one row that sealing locks: the tree's size and its right edge (the frontier)."""

    size = models.BigIntegerField(_("ukuran"), default=0)
    frontier = models.JSONField(_("tepi kanan"), default=dict)
    updated_at = models.DateTimeField(_("diperbarui"), null=True, blank=True)

    class Meta:
        verbose_name = _("kepala log")
        verbose_name_plural = _("kepala log")

    def __str__(self) -> str:
        return str(self.size)


class Checkpoint(models.Model):
    """A signed statement of the tree's size and root at a moment (a C2SP tlog-checkpoint note)."""

    size = models.BigIntegerField(_("ukuran"))
    root_hash = models.CharField(_("sidik akar"), max_length=64)
    origin = models.CharField(_("asal"), max_length=200)
    issued_at = models.DateTimeField(_("diterbitkan"), db_index=True)
    note = models.TextField(_("catatan bertanda tangan"))

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("titik periksa")
        verbose_name_plural = _("titik periksa")

    def __str__(self) -> str:
        return f"{self.size} {self.root_hash[:12]}"


class VerificationRun(models.Model):
    """One run of the verification: when, over how much, and what it found (the findings as text)."""

    started_at = models.DateTimeField(_("mulai"), db_index=True)
    finished_at = models.DateTimeField(_("selesai"))
    requests = models.PositiveIntegerField(_("permohonan"))
    events = models.PositiveBigIntegerField(_("peristiwa"))
    leaves = models.PositiveBigIntegerField(_("daun"))
    checkpoints = models.PositiveIntegerField(_("titik periksa diperiksa"))
    findings = models.JSONField(_("temuan"), default=list)
    trigger = models.CharField(_("dijalankan oleh"), max_length=150)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("pemeriksaan log")
        verbose_name_plural = _("pemeriksaan log")

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} {len(self.findings)}"

    @property
    def ok(self) -> bool:
        return not self.findings


class RecordView(models.Model):
    """An auditor looked at a citizen's request: who, what, when (UU 27/2022); read by administrators."""

    viewer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                               verbose_name=_("pembaca"))  # fmt: skip
    viewer_username = models.CharField(_("nama pengguna pembaca"), max_length=150)
    instance = models.ForeignKey("workflow.ProcessInstance", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("permohonan"))  # fmt: skip
    what = models.CharField(_("yang dibaca"), max_length=32)
    at = models.DateTimeField(_("waktu"), db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("pembacaan data permohonan")
        verbose_name_plural = _("pembacaan data permohonan")

    def __str__(self) -> str:
        return f"{self.viewer_username} {self.what} {self.instance_id}"
