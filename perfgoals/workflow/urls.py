from django.urls import path

from perfgoals.workflow import views

urlpatterns = [
    path("", views.desk, name="desk"),
    path("comments/<int:pk>/resolve/", views.resolve_comment, name="comment_resolve"),
]

for kind in ("table", "plan"):
    urlpatterns += [
        path(f"{kind}/<int:pk>/", views.document_page, {"kind": kind}, name=f"workflow_{kind}"),
        path(f"{kind}/<int:pk>/history/", views.history_page, {"kind": kind}, name=f"{kind}_history"),
        path(f"{kind}/<int:pk>/diff/", views.diff_page, {"kind": kind}, name=f"{kind}_diff"),
        path(f"{kind}/<int:pk>/comments/", views.comment_list, {"kind": kind}, name=f"{kind}_comments"),
        path(f"{kind}/<int:pk>/comments/add/", views.add_comment, {"kind": kind}, name=f"{kind}_comment_add"),
    ]
    for action in ("submit", "approve", "return", "reopen"):
        urlpatterns.append(
            path(f"{kind}/<int:pk>/{action}/", views.transition, {"kind": kind, "action": action},
                 name=f"{kind}_{action}")
        )
