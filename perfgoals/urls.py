from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from perfgoals import health

admin.site.site_header = "预算绩效目标管理"
admin.site.site_title = "预算绩效目标管理"
admin.site.index_title = "管理"

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("admin/", admin.site.urls),
    path("healthz", health.healthz, name="healthz"),
    path("review/", include("perfgoals.review.urls")),
    path("workflow/", include("perfgoals.workflow.urls")),
    path("print/", include("perfgoals.printing.urls")),
    path("exchange/", include("perfgoals.exchange.urls")),
    path("", include("perfgoals.goals.urls")),
]
