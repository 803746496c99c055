"""NHI card applications (申辦健保卡作業) in the personal e-services, under /eservice/cards/.
The service's pages are named `card` and `card_…` (identity.eservice_menu)."""

from django.urls import path

from healthbank.cards import views

app_name = "cards"
urlpatterns = [
    path("", views.card, name="card"),
]
