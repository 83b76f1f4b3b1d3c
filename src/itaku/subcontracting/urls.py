from django.urls import path

from itaku.subcontracting import views

app_name = "subcontracting"
urlpatterns = [
    path("", views.index, name="index"),
    path("items/", views.item_add, name="item_add"),
    path("requests/new/", views.request_new, name="request_new"),
    path("requests/<int:request_id>/", views.request_detail, name="request"),
    path("requests/<int:request_id>/edit/", views.request_edit, name="request_edit"),
    path("requests/<int:request_id>/submit/", views.request_submit, name="request_submit"),
    path("requests/<int:request_id>/consent/", views.request_consent, name="request_consent"),
    path("requests/<int:request_id>/decide/", views.request_decide, name="request_decide"),
    path("requests/<int:request_id>/revoke/", views.request_revoke, name="request_revoke"),
    path("requests/<int:request_id>/change/", views.request_change, name="request_change"),
    path("requests/<int:request_id>/request.pdf", views.application_pdf, name="application_pdf"),
    path("requests/<int:request_id>/notice/<int:number>.pdf", views.notice_pdf, name="notice_pdf"),
    path("files/<int:attachment>/", views.attachment, name="attachment"),
    path("parties/<int:party>/", views.party_detail, name="party"),
    path("parties/<int:party>/people/", views.person_add, name="person_add"),
    path("parties/<int:party>/shares/", views.share_add, name="share_add"),
    path("parties/<int:party>/shares/<int:share>/withdraw/", views.share_withdraw, name="share_withdraw"),
    path("parties/<int:party>/supervisions/", views.supervision_add, name="supervision_add"),
    path("parties/<int:party>/supervisions/<int:supervision>/resolve/", views.supervision_resolve,
         name="supervision_resolve"),
    path("parties/<int:party>/reports/", views.report_ask, name="report_ask"),
    path("parties/<int:party>/reports/<int:report>/deliver/", views.report_deliver, name="report_deliver"),
    path("parties/<int:party>/reports/<int:report>/acknowledge/", views.report_acknowledge,
         name="report_acknowledge"),
]
