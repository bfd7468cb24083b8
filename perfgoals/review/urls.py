from django.urls import path

from perfgoals.review import views

urlpatterns = [
    path("", views.report, name="review_report"),
    path("rules/", views.rules_page, name="review_rules"),
]

for kind in ("table", "plan"):
    urlpatterns += [
        path(f"{kind}/<int:pk>/", views.document_review, {"kind": kind}, name=f"review_{kind}"),
        path(f"{kind}/<int:pk>/keep/", views.keep_hint, {"kind": kind}, name=f"review_{kind}_keep"),
        path(f"{kind}/<int:pk>/kept/<int:kept_pk>/delete/", views.unkeep_hint, {"kind": kind},
             name=f"review_{kind}_unkeep"),
    ]
