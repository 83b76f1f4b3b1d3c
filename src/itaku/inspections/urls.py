from django.urls import path

from itaku.inspections import views

app_name = "inspections"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.schedule, name="schedule"),
    path("<int:inspection>/", views.detail, name="detail"),
    path("<int:inspection>/items/<int:item>/", views.record_item, name="record_item"),
    path("<int:inspection>/refresh/", views.refresh, name="refresh"),
    path("<int:inspection>/close/", views.close, name="close"),
    path("<int:inspection>/reports/", views.report_request, name="report_request"),
    path("<int:inspection>/reports/<int:report>/deliver/", views.report_deliver, name="report_deliver"),
    path("<int:inspection>/reports/<int:report>/acknowledge/", views.report_acknowledge, name="report_acknowledge"),
    path("<int:inspection>/instructions/", views.instruction_issue, name="instruction_issue"),
    path("<int:inspection>/instructions/<int:instruction>/answer/", views.instruction_answer,
         name="instruction_answer"),
    path("<int:inspection>/instructions/<int:instruction>/close/", views.instruction_close, name="instruction_close"),
    path("<int:inspection>/report.pdf", views.report_pdf, name="report_pdf"),
    path("files/<int:attachment>/", views.attachment, name="attachment"),
]
