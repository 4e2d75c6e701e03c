from django.urls import path

from capture import views

app_name = "capture"

urlpatterns = [
    path("", views.captured_events, name="captured_events"),
]
