from django.urls import path

from quotas import views

app_name = "quotas"

urlpatterns = [
    path("settings/targets/", views.target_list, name="targets"),
    path("settings/targets/plan/", views.target_plan, name="target_plan"),
    path("settings/holidays/", views.holidays, name="holidays"),
    path("settings/holidays/<int:pk>/delete/", views.holiday_delete, name="holiday_delete"),
]
