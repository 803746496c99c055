"""The portal's URLs: each area's views module lists its own."""

from healthbank.bank.views import (
    anatomy,
    assessments,
    calendar,
    health,
    home,
    hubs,
    labs,
    personal,
    session,
    visits,
)

app_name = "bank"
urlpatterns = [
    *home.urlpatterns,
    *session.urlpatterns,
    *hubs.urlpatterns,
    *personal.urlpatterns,
    *calendar.urlpatterns,
    *health.urlpatterns,
    *visits.urlpatterns,
    *anatomy.urlpatterns,
    *labs.urlpatterns,
    *assessments.urlpatterns,
]
