from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "itaku.people"
    verbose_name = _("People and structure")

    def ready(self) -> None:
        from itaku.contracts import sections
        from itaku.contracts.access import Perm
        from itaku.people import controls, documents  # noqa: F401  (register controls and documents)

        sections.register("people:index", _("Structure"), order=20)
        sections.register("people:pledges", _("Pledges"), order=40)
        sections.register("people:eligibility", _("Eligibility"), perm=Perm.VIEW_CONTROLS, order=90)
