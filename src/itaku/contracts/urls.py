from django.urls import path

from itaku.contracts import views

app_name = "contracts"
urlpatterns = [
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/ledger/", views.ledger, name="ledger"),
    path("<int:pk>/provisions.pdf", views.provisions_pdf, name="provisions_pdf"),
    path("<int:pk>/provisions/attach/", views.attach_provisions, name="attach_provisions"),
    path("<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("<int:pk>/decide/", views.decide, name="decide"),
    path("<int:pk>/end/", views.end, name="end"),
    path("<int:pk>/terminate/", views.terminate, name="terminate"),
    path("<int:pk>/roles/", views.assign_role, name="assign_role"),
]
