from django.urls import path

from quotas import views

app_name = "quotas"

urlpatterns = [
    path("settings/holidays/", views.holidays, name="holidays"),
    path("settings/holidays/<int:pk>/delete/", views.holiday_delete, name="holiday_delete"),
]
