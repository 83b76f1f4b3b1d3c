from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TakeoutsConfig(AppConfig):
    name = "itaku.takeouts"
    verbose_name = _("Take-outs")

    def ready(self) -> None:
        from itaku.contracts import sections
        from itaku.takeouts import controls, documents  # noqa: F401  (register the controls and the PDF)

        sections.register("takeouts:index", _("Take-outs"), order=78)
