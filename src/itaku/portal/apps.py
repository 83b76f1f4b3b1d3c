from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "itaku.portal"
    verbose_name = _("Supervision portal")
