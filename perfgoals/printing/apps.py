from django.apps import AppConfig
from django.db import transaction


class PrintingConfig(AppConfig):
    name = "perfgoals.printing"
    verbose_name = "打印"

    def ready(self):
        from perfgoals.printing import checks  # noqa: F401 (registers the check)
        from perfgoals.workflow.workflow import transitioned

        transitioned.connect(prepare_after_transition, dispatch_uid="printing.prepare")


def prepare_after_transition(sender, document, action, **kwargs) -> None:
    """A submitted or approved table or plan does not change until its next transition:
    render it (and its unit's book) into the print cache now, once the transition is committed."""
    if action not in ("submit", "approve"):
        return
    from perfgoals.printing import tasks

    kind, pk = document.kind, document.pk
    transaction.on_commit(lambda: tasks.prepare_document.delay(kind, pk))
