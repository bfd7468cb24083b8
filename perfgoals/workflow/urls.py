from django.urls import path

from perfgoals.goals.routes import per_kind
from perfgoals.workflow import views

urlpatterns = [
    path("", views.desk, name="desk"),
    path("comments/<int:pk>/resolve/", views.resolve_comment, name="comment_resolve"),
    *per_kind(
        ("", views.document_page, "workflow_{kind}"),
        ("history/", views.history_page, "{kind}_history"),
        ("diff/", views.diff_page, "{kind}_diff"),
        ("comments/", views.comment_list, "{kind}_comments"),
        ("comments/add/", views.add_comment, "{kind}_comment_add"),
        ("approve/confirm/", views.approve_confirm, "{kind}_approve_confirm"),
        ("delete/", views.delete_draft, "{kind}_delete"),
        *((f"{action}/", views.transition, f"{{kind}}_{action}", {"action": action})
          for action in ("submit", "withdraw", "approve", "return", "reopen")),
    ),
]
