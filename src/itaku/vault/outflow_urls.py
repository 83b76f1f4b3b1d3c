"""URLs of the copies (article 10), the return (article 12) and disposal (article 13), in the vault's namespace."""

from django.urls import path

from itaku.vault import outflow_views as views

urlpatterns = [
    path("copies/", views.copies_index, name="copies"),
    path("copies/new/<int:dataset>/", views.copy_new, name="copy_new"),
    path("copies/<int:copy_request>/", views.copy_detail, name="copy"),
    path("copies/<int:copy_request>/edit/", views.copy_edit, name="copy_edit"),
    path("copies/<int:copy_request>/submit/", views.copy_submit, name="copy_submit"),
    path("copies/<int:copy_request>/decide/", views.copy_decide, name="copy_decide"),
    path("copies/<int:copy_request>/produce/", views.copy_produce, name="copy_produce"),
    path("copies/<int:copy_request>/destroy/", views.copy_destroy, name="copy_destroy"),
    path("returns/", views.returns_index, name="returns"),
    path("returns/request/", views.return_request, name="return_request"),
    path("returns/build/", views.return_build, name="return_build"),
    path("returns/<int:package>/download/", views.return_download, name="return_download"),
    path("returns/<int:package>/receipt/", views.return_receipt, name="return_receipt"),
    path("disposal/", views.disposal_index, name="disposal"),
    path("disposal/instruct/", views.disposal_instruct, name="disposal_instruct"),
    path("disposal/instructions/<int:instruction>/", views.disposal_carry_out, name="disposal_carry_out"),
    path("disposal/<int:disposal>/", views.disposal_record, name="disposal_record"),
    path("disposal/<int:disposal>/report.pdf", views.disposal_pdf, name="disposal_pdf"),
    path("disposal/<int:disposal>/correct/", views.disposal_correct, name="disposal_correct"),
    path("disposal/<int:disposal>/submit/", views.disposal_submit, name="disposal_submit"),
    path("disposal/<int:disposal>/decide/", views.disposal_decide, name="disposal_decide"),
]
