from django.urls import path

from . import personal_data_views as views

app_name = "personal_data"

urlpatterns = [
    path("profiel/mijn-gegevens/", views.overview, name="overview"),
    path("profiel/mijn-gegevens/download/", views.download, name="download"),
    path("profiel/mijn-gegevens/verwijderen/", views.request_deletion, name="request_deletion"),
    path("beheer/verwijderverzoeken/", views.beheer_list, name="beheer_list"),
    path("beheer/verwijderverzoeken/<int:pk>/", views.beheer_decide, name="beheer_decide"),
]
