"""Review comments (审核意见): a supervisor's note on a table, plan, goal or indicator."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from perfgoals.goals.attached import OnDocument, document_links
from perfgoals.goals.models import DepartmentIndicator, DepartmentPlan, Goal, Indicator, ProjectTable
from perfgoals.lib.models import limited_text
from perfgoals.units.models import Unit

COMMENT = 2000  # characters of a review comment (审核意见)


class Comment(OnDocument):
    ROWS = ("indicator", "plan_indicator", "goal")  # the rows of a document a comment can be about

    unit = models.ForeignKey(Unit, models.PROTECT, related_name="+", verbose_name="预算单位")
    table, plan = document_links("comments")
    goal = models.ForeignKey(
        Goal, models.CASCADE, null=True, blank=True, related_name="comments", verbose_name="绩效目标"
    )
    indicator = models.ForeignKey(
        Indicator, models.CASCADE, null=True, blank=True, related_name="comments", verbose_name="三级指标"
    )
    plan_indicator = models.ForeignKey(
        DepartmentIndicator, models.CASCADE, null=True, blank=True, related_name="comments",
        verbose_name="部门整体绩效指标",
    )
    text = limited_text("审核意见", COMMENT)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+", verbose_name="审核人"
    )
    created = models.DateTimeField("提出时间", default=timezone.now)
    resolved_at = models.DateTimeField("处理时间", null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="处理人"
    )
    history = HistoricalRecords(verbose_name="审核意见修改记录")

    class Meta(OnDocument.Meta):
        verbose_name = "审核意见"
        verbose_name_plural = "审核意见"

    def __str__(self) -> str:
        return self.text[:40]

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    @property
    def document(self) -> ProjectTable | DepartmentPlan:
        return self.table or self.plan

    @property
    def row(self) -> tuple[str, int] | None:
        """The row of the document the comment is about, as (one of ROWS, its pk); None: the whole document."""
        return next(((name, pk) for name in self.ROWS if (pk := getattr(self, f"{name}_id"))), None)

    @property
    def target_label(self) -> str:
        """What the comment is about, as the clerk reads it."""
        match self.row:
            case ("indicator", _):
                return f"三级指标「{self.indicator.name}」"
            case ("plan_indicator", _):
                return f"绩效指标「{self.plan_indicator.name}」"
            case ("goal", _):
                return f"绩效目标「{self.goal.text[:20]}」"
        return "整表"

    @property
    def anchor(self) -> str:
        """The id of the row the comment concerns in the table editor's page ("" for other rows)."""
        name, pk = self.row or ("", None)
        return {"indicator": f"ind-{pk}", "goal": f"goal-{pk}"}.get(name, "")

    def resolve(self, user) -> None:
        self.resolved_at = timezone.now()
        self.resolved_by = user
        self._change_reason = "标记已处理"
        self._history_user = user
        self.save()
