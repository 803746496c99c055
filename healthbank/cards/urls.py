"""NHI card applications (申辦健保卡作業) in the personal e-services, under /eservice/cards/.
The service's pages are named `card` and `card_…` (identity.eservice_menu)."""

from django.urls import path

from healthbank.cards import views

app_name = "cards"
urlpatterns = [
    path("", views.card, name="card"),
    path("apply/", views.card_apply, name="card_apply"),
    path("lost/", views.card_lost, name="card_lost"),
    path("<int:pk>/", views.card_application, name="card_application"),
]
