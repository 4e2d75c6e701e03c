from django.urls import path

from activities import views

app_name = "activities"

urlpatterns = [
    path("", views.my_day, name="my_day"),
]
