from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ViolationsConfig(AppConfig):
    name = "itaku.violations"
    verbose_name = _("Violations")

    def ready(self) -> None:
        from itaku.contracts import sections
        from itaku.contracts.access import Perm
        from itaku.violations import controls, documents  # noqa: F401  (article 20's control and register PDF)

        sections.register("violations:index", _("Violations"), perm=Perm.OVERSEE, order=95)
