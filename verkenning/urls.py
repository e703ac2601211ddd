from django.urls import path

from . import views

app_name = "verkenning"

urlpatterns = [
    path("", views.verkenning_list, name="list"),
    path("nieuw/", views.verkenning_create, name="create"),
    path("themas/", views.theme_list, name="themes"),
    path("themas/<int:theme_id>/wisselen/", views.theme_toggle, name="theme_toggle"),
    path("<int:verkenning_id>/", views.verkenning_detail, name="detail"),
    path("<int:verkenning_id>/bewerken/", views.verkenning_edit, name="edit"),
    path("<int:verkenning_id>/contacten/", views.contact_list, name="contacts"),
    path(
        "<int:verkenning_id>/contacten/<int:contact_id>/",
        views.contact_edit,
        name="contact_edit",
    ),
    path("<int:verkenning_id>/netwerk/", views.network, name="network"),
    path("<int:verkenning_id>/gesprekken/nieuw/", views.interview_create, name="interview_create"),
    path(
        "<int:verkenning_id>/gesprekken/<int:interview_id>/",
        views.interview_detail,
        name="interview",
    ),
    path("<int:verkenning_id>/synthese/", views.synthesis, name="synthesis"),
    path("<int:verkenning_id>/synthese.csv", views.synthesis_export, name="synthesis_export"),
    path("<int:verkenning_id>/opzet/", views.design, name="design"),
    path("<int:verkenning_id>/opzet/omzetten/", views.design_convert, name="design_convert"),
    path(
        "<int:verkenning_id>/opzet/werkplaats/",
        views.design_convert_to_werkplaats,
        name="design_werkplaats",
    ),
]
