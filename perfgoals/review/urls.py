from django.urls import path

from perfgoals.goals.routes import per_kind
from perfgoals.review import views

urlpatterns = [
    path("", views.report, name="review_report"),
    path("rules/", views.rules_page, name="review_rules"),
    *per_kind(
        ("", views.document_review, "review_{kind}"),
        ("keep/", views.keep_hint, "review_{kind}_keep"),
        ("kept/<int:kept_pk>/delete/", views.unkeep_hint, "review_{kind}_unkeep"),
    ),
]
