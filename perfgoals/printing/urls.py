from django.urls import path

from perfgoals.printing import views

urlpatterns = [
    path("table/<int:pk>.pdf", views.print_table, name="print_table"),
    path("plan/<int:pk>.pdf", views.print_plan, name="print_plan"),
    path("book/<str:code>/<int:year>.pdf", views.print_book, name="print_book"),
    path("table/<int:pk>.xlsx", views.xlsx_table, name="xlsx_table"),
    path("book/<str:code>/<int:year>.xlsx", views.xlsx_book, name="xlsx_book"),
    path("book/<str:code>/<int:year>/", views.preview_book, name="print_book_preview"),
    path("batches/", views.batches, name="print_batches"),
    path("batches/<int:batch_pk>/", views.batch_progress, name="print_batch"),
    path("batches/<int:batch_pk>/<str:code>.pdf", views.batch_file, name="print_batch_file"),
]
