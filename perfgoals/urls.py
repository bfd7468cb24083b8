from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "预算绩效目标管理"
admin.site.site_title = "预算绩效目标管理"
admin.site.index_title = "管理"

urlpatterns = [
    path("admin/", admin.site.urls),
]
