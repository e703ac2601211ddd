from django.urls import path

from . import views

app_name = "werkplaats"

urlpatterns = [
    path("", views.werkplaats_list, name="list"),
    path("nieuw/", views.werkplaats_create, name="create"),
    path("<int:werkplaats_id>/", views.werkplaats_detail, name="detail"),
    path("<int:werkplaats_id>/bewerken/", views.werkplaats_edit, name="edit"),
    path("<int:werkplaats_id>/deelnemers/", views.participants, name="participants"),
    path(
        "<int:werkplaats_id>/deelnemers/<int:participation_id>/verwijderen/",
        views.participant_remove,
        name="participant_remove",
    ),
    path(
        "<int:werkplaats_id>/afspraken/<int:rule_id>/verwijderen/",
        views.pairing_rule_remove,
        name="pairing_rule_remove",
    ),
    path("<int:werkplaats_id>/groepen/", views.groups, name="groups"),
    path("<int:werkplaats_id>/groepen/opnieuw/", views.groups_remake, name="groups_remake"),
    path("<int:werkplaats_id>/sessies/nieuw/", views.session_create, name="session_create"),
    path("sessies/<int:session_id>/", views.session_detail, name="session_detail"),
    path("sessies/<int:session_id>/bewerken/", views.session_edit, name="session_edit"),
    path("sessies/<int:session_id>/oefenlogboek/", views.practice_log, name="practice_log"),
    path(
        "sessies/<int:session_id>/casus/nieuw/", views.case_sketch_create, name="case_sketch_create"
    ),
    path("casus/<int:sketch_id>/", views.case_sketch_detail, name="case_sketch"),
    path("<int:werkplaats_id>/rugdekking/", views.rugdekking_create, name="rugdekking_create"),
    path("rugdekking/open/", views.rugdekking_open, name="rugdekking_open"),
    path("rugdekking/<str:token>/", views.rugdekking_answer, name="rugdekking_answer"),
    path("<int:werkplaats_id>/acties/", views.actions, name="actions"),
    path("<int:werkplaats_id>/acties/<int:action_id>/", views.action_edit, name="action_edit"),
]
