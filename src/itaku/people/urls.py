from django.urls import path

from itaku.people import views

app_name = "people"
urlpatterns = [
    path("", views.index, name="index"),
    path("structure/new/", views.structure_new, name="structure_new"),
    path("structure/<int:number>/submit/", views.structure_submit, name="structure_submit"),
    path("structure/<int:number>/decide/", views.structure_decide, name="structure_decide"),
    path("structure/<int:number>.pdf", views.structure_pdf, name="structure_pdf"),
    path("pledges/", views.pledges, name="pledges"),
    path("pledges/accept/", views.pledge_accept, name="pledge_accept"),
    path("pledges/text/", views.pledge_text, name="pledge_text"),
    path("pledges/<int:pledge>.pdf", views.pledge_pdf, name="pledge_pdf"),
    path("departures/", views.departure, name="departure"),
    path("eligibility/", views.eligibility_page, name="eligibility"),
]
