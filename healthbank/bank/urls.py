"""The portal's URLs (/bank/), area by area; the views live in `bank/views/<area>.py`."""

from django.urls import path

from healthbank.bank.views import (
    anatomy,
    apps,
    assessments,
    calendar,
    family,
    health,
    home,
    hubs,
    labs,
    personal,
    risk,
    session,
    visits,
)

app_name = "bank"
urlpatterns = [
    path("", home.home, name="home"),
    # The session: idle timer, whose records are open
    path("session/", session.session_status, name="session"),
    path("session/keepalive/", session.keepalive, name="keepalive"),
    path("switch/", session.switch, name="switch"),
    # Section pages
    path("personal/", hubs.hub("bank:personal"), name="personal"),
    path("health/", hubs.hub("bank:health"), name="health"),
    path("health/visits/", hubs.hub("bank:visits"), name="visits"),
    path("health/labs/", hubs.hub("bank:labs"), name="labs"),
    path("assessments/", hubs.hub("bank:assessments"), name="assessments"),
    # 個人專區
    path("personal/insurance/", personal.insurance, name="insurance"),
    path("personal/cards/", personal.cards, name="cards"),
    path("personal/premiums/", personal.premiums, name="premiums"),
    path("personal/allergies/", personal.allergies, name="allergies"),
    path("personal/wishes/", personal.wishes, name="wishes"),
    path("personal/access/", personal.access, name="access"),
    path("personal/apps/", apps.apps, name="apps"),
    path("personal/apps/<int:pk>/revoke/", apps.revoke_app, name="revoke_app"),
    path("personal/readers/", personal.readers, name="readers"),
    path("personal/readers.csv", personal.readers_csv, name="readers_csv"),
    # 家人健康存摺: family access for adults
    path("personal/family/", family.family, name="family"),
    path("personal/family/offer/", family.family_offer, name="family_offer"),
    path("personal/family/<int:pk>/renew/", family.family_renew, name="family_renew"),
    path("personal/family/<int:pk>/end/", family.family_end, name="family_end"),
    path("personal/family/<int:pk>/accept/", family.family_accept, name="family_accept"),
    # 我的行事曆
    path("calendar/", calendar.calendar, name="calendar"),
    path("calendar/calendar.ics", calendar.calendar_ics, name="calendar_ics"),
    path("calendar/events/new/", calendar.event_new, name="event_new"),
    path("calendar/events/<int:pk>/edit/", calendar.event_edit, name="event_edit"),
    path("calendar/events/<int:pk>/delete/", calendar.event_delete, name="event_delete"),
    # 健康資料: measurements and vaccinations
    path("health/measurements/", health.measurements, name="measurements"),
    path(
        "health/measurements/<int:pk>/delete/",
        health.measurement_delete,
        name="measurement_delete",
    ),
    path("health/vaccinations/", health.vaccinations, name="vaccinations"),
    # 就醫資料
    path("health/visits/western/", visits.western, name="western"),
    path("health/visits/tcm/", visits.tcm, name="tcm"),
    path("health/visits/inpatient/", visits.inpatient, name="inpatient"),
    path("health/visits/<int:pk>/", visits.visit, name="visit"),
    path("health/visits/medications/", visits.medications, name="medications"),
    path("health/visits/refills/", visits.refills, name="refills"),
    path("health/visits/dental/", anatomy.dental, name="dental"),
    path("health/visits/surgeries/", anatomy.surgeries, name="surgeries"),
    # 檢驗檢查結果 and 成人預防保健
    path("health/labs/glucose-lipids/", labs.glucose_lipids, name="glucose_lipids"),
    path("health/labs/items/<str:code>/", labs.lab_trend, name="lab_trend"),
    path("health/labs/other/", labs.other_labs, name="other_labs"),
    path("health/labs/reports/", labs.reports, name="reports"),
    path("health/labs/discharge/", labs.discharge_summaries, name="discharge_summaries"),
    path("health/labs/discharge/<int:pk>/", labs.discharge_summary, name="discharge_summary"),
    path("health/preventive/", labs.preventive, name="preventive"),
    # 疾病評估
    path("assessments/liver/", assessments.liver_risk, name="liver_risk"),
    path("assessments/kidney/", assessments.kidney_risk, name="kidney_risk"),
    path("assessments/diabetes/", risk.diabetes, name="diabetes_risk"),
    path("assessments/heart/", risk.heart, name="heart_risk"),
]
