from django.urls import path

from itaku.violations import views

app_name = "violations"
urlpatterns = [
    path("", views.index, name="index"),
    path("refresh/", views.refresh, name="refresh"),
    path("<int:violation>/decide/", views.decide, name="decide"),
    path("evidence.zip", views.package, name="package"),
    path("register.pdf", views.register_pdf, name="register_pdf"),
]
