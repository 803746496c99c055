"""Premium bills, payments and notices in the personal e-services, under /eservice/billing/."""

from django.urls import path

from healthbank.billing import views

app_name = "billing"
urlpatterns = [
    path("unpaid/", views.unpaid, name="unpaid"),
    path("unpaid/instalments/", views.unpaid_instalments, name="unpaid_instalments"),
    path("unpaid/<int:pk>/slip/", views.unpaid_slip, name="unpaid_slip"),
    path("unpaid/slip/", views.unpaid_slip_all, name="unpaid_slip_all"),
    path("unpaid/plans/<int:pk>/", views.unpaid_plan, name="unpaid_plan"),
    path(
        "unpaid/plans/<int:pk>/<int:number>/slip/",
        views.unpaid_plan_slip,
        name="unpaid_plan_slip",
    ),
    path("ebill/", views.ebill, name="ebill"),
    path("ebill/<int:pk>/", views.ebill_pdf, name="ebill_pdf"),
    path("delivery/", views.delivery, name="delivery"),
    path("transfers/", views.transfers, name="transfers"),
    path("transfers/print/", views.transfers_pdf, name="transfers_pdf"),
    path(
        "transfers/supplementary/<int:pk>/",
        views.transfers_supplementary,
        name="transfers_supplementary",
    ),
    path("address/", views.address, name="address"),
    path("debit/", views.debit, name="debit"),
    path("debit/<int:pk>/", views.debit_status, name="debit_status"),
    path("notices/", views.notices, name="notices"),
    path("notices/<int:pk>/", views.notices_pdf, name="notices_pdf"),
]
