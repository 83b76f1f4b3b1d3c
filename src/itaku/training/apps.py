from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "itaku.training"
    verbose_name = _("Training")

    def ready(self) -> None:
        from itaku.contracts import sections
        from itaku.training import controls, documents  # noqa: F401  (register article 3's controls and document)

        sections.register("training:index", _("Training"), order=30)
