from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from itaku.portal import views as portal

urlpatterns = [
    path("", portal.dashboard, name="dashboard"),
    path("accounts/", include("itaku.accounts.urls")),
    path("contracts/", include("itaku.contracts.urls")),
    path("contracts/<int:pk>/people/", include("itaku.people.urls")),
    path("contracts/<int:pk>/training/", include("itaku.training.urls")),
    path("contracts/<int:pk>/rules/", include("itaku.rules.urls")),
    path("contracts/<int:pk>/places/", include("itaku.places.urls")),
    path("contracts/<int:pk>/vault/", include("itaku.vault.urls")),
    path("contracts/<int:pk>/subcontracting/", include("itaku.subcontracting.urls")),
    path("contracts/<int:pk>/takeouts/", include("itaku.takeouts.urls")),
    path("contracts/<int:pk>/inspections/", include("itaku.inspections.urls")),
    path("contracts/<int:pk>/reports/", include("itaku.reporting.urls")),
    path("contracts/<int:pk>/incidents/", include("itaku.incidents.urls")),
    path("contracts/<int:pk>/violations/", include("itaku.violations.urls")),
    path("provisions/", include("itaku.provisions.urls")),
    path("published/", include("itaku.incidents.public_urls")),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
]
