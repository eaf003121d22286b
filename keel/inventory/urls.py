from django.urls import path

from keel.inventory import views

app_name = "inventory"

urlpatterns = [
    path("", views.ledger_page, name="ledger"),
    path("receipts/", views.receipt_create, name="receipt"),
    path("waste/", views.waste_create, name="waste"),
    path("counts/", views.count_create, name="count"),
    path("corrections/", views.correction_create, name="correction"),
    path("report/", views.report_page, name="report"),
    path("ledger.csv", views.ledger_export, name="export"),
]
