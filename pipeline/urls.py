from django.urls import path

from pipeline import views

app_name = "pipeline"

urlpatterns = [
    path("prospects/", views.prospect_list, name="prospect_list"),
    path("prospects/new/", views.prospect_form, name="prospect_create"),
    path("prospects/<int:pk>/", views.prospect_detail, name="prospect_detail"),
    path("prospects/<int:pk>/edit/", views.prospect_form, name="prospect_edit"),
    path("opportunities/", views.opportunity_list, name="opportunity_list"),
    path("opportunities/new/", views.opportunity_form, name="opportunity_create"),
    path("opportunities/<int:pk>/", views.opportunity_detail, name="opportunity_detail"),
    path("opportunities/<int:pk>/edit/", views.opportunity_form, name="opportunity_edit"),
    path("opportunities/<int:pk>/move/", views.opportunity_move, name="opportunity_move"),
    path("pipeline/", views.board, name="board"),
    path("settings/pipeline/", views.pipeline_settings, name="settings"),
    path("settings/pipeline/sources/new/", views.lead_source_form, name="lead_source_create"),
    path("settings/pipeline/sources/<int:pk>/", views.lead_source_form, name="lead_source_edit"),
    path("settings/pipeline/stages/new/", views.stage_form, name="stage_create"),
    path("settings/pipeline/stages/<int:pk>/", views.stage_form, name="stage_edit"),
    path("settings/pipeline/products/new/", views.product_form, name="product_create"),
    path("settings/pipeline/products/<int:pk>/", views.product_form, name="product_edit"),
]
