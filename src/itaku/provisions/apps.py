from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProvisionsConfig(AppConfig):
    name = "itaku.provisions"
    verbose_name = _("Provisions")

    def ready(self) -> None:
        from itaku.provisions import documents  # noqa: F401  (registers the printout renderer)
