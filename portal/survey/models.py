"""The satisfaction survey (SKM, PermenPAN-RB 14/2017): its elements and grade intervals as data
(the regulation can change), and one response per completed request."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SurveyElement(models.Model):
    """One element U1..U9: the question and the words of its four answers (1 = worst .. 4 = best)."""

    code = models.CharField(_("kode"), max_length=8, unique=True)
    position = models.PositiveSmallIntegerField(_("urutan"))
    name = models.CharField(_("unsur"), max_length=100)
    question = models.TextField(_("pertanyaan"))
    answer_1 = models.CharField(_("jawaban nilai 1"), max_length=100)
    answer_2 = models.CharField(_("jawaban nilai 2"), max_length=100)
    answer_3 = models.CharField(_("jawaban nilai 3"), max_length=100)
    answer_4 = models.CharField(_("jawaban nilai 4"), max_length=100)
    is_active = models.BooleanField(_("dipakai"), default=True)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("unsur survei")
        verbose_name_plural = _("unsur survei")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def answers(self) -> list[tuple[int, str]]:
        return [(1, self.answer_1), (2, self.answer_2), (3, self.answer_3), (4, self.answer_4)]


class SurveyGrade(models.Model):
    """An IKM interval and its grade (mutu pelayanan), bounds inclusive at two decimals."""

    grade = models.CharField(_("mutu"), max_length=2, unique=True)
    label = models.CharField(_("kinerja unit pelayanan"), max_length=50)
    lower = models.DecimalField(_("nilai IKM terendah"), max_digits=5, decimal_places=2)
    upper = models.DecimalField(_("nilai IKM tertinggi"), max_digits=5, decimal_places=2)

    class Meta:
        ordering = ["-lower"]
        verbose_name = _("mutu pelayanan")
        verbose_name_plural = _("mutu pelayanan")

    def __str__(self) -> str:
        return f"{self.grade} ({self.lower}-{self.upper})"


class SurveyResponse(models.Model):
    """The applicant's answers for one completed request; at most one per request."""

    instance = models.OneToOneField(
        "workflow.ProcessInstance", on_delete=models.PROTECT, related_name="survey_response",
        verbose_name=_("permohonan"),
    )  # fmt: skip
    service_code = models.CharField(_("layanan"), max_length=64, db_index=True)
    submitted_at = models.DateTimeField(_("waktu pengisian"), db_index=True)
    suggestion = models.TextField(_("saran"), blank=True)
    # How the applicant was recognised: her account, or the tracking PIN (this session or the API).
    via = models.CharField(_("melalui"), max_length=16)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("jawaban survei")
        verbose_name_plural = _("jawaban survei")

    def __str__(self) -> str:
        return f"{self.service_code} {self.submitted_at:%Y-%m-%d}"


class SurveyAnswer(models.Model):
    response = models.ForeignKey(
        SurveyResponse, on_delete=models.CASCADE, related_name="answers", verbose_name=_("jawaban survei")
    )
    element = models.ForeignKey(SurveyElement, on_delete=models.PROTECT, related_name="+", verbose_name=_("unsur"))
    score = models.PositiveSmallIntegerField(_("nilai"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "element"], name="survey_answer_once"),
            models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=4), name="survey_answer_score_1_4"),
        ]
        verbose_name = _("jawaban unsur")
        verbose_name_plural = _("jawaban unsur")

    def __str__(self) -> str:
        return f"{self.element_id}={self.score}"
