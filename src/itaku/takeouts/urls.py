from django.urls import path

from itaku.takeouts import views

app_name = "takeouts"
urlpatterns = [
    path("", views.index, name="index"),
    path("register.xlsx", views.register_xlsx, name="register_xlsx"),
    path("register.pdf", views.register_pdf, name="register_pdf"),
    path("destinations/", views.destination_add, name="destination_add"),
    path("destinations/<int:destination>/retire/", views.destination_retire, name="destination_retire"),
    path("new/", views.request_new, name="request_new"),
    path("<int:takeout>/", views.detail, name="detail"),
    path("<int:takeout>/decide/", views.decide, name="decide"),
    path("<int:takeout>/resubmit/", views.resubmit, name="resubmit"),
    path("<int:takeout>/check-out/", views.check_out, name="check_out"),
    path("<int:takeout>/check-in/", views.check_in, name="check_in"),
    path("<int:takeout>/correct/", views.correct, name="correct"),
]
