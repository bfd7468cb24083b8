from django.urls import path

from perfgoals.exchange import views

urlpatterns = [
    path("export.json", views.export_json, name="export_json"),
    path("import/", views.import_document, name="import_document"),
]
