"""Forms for work locations: parsing only; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from itaku.lib.errors import UserError
from itaku.places.models import WorkLocation
from itaku.places.network import parse_networks


class LocationForm(forms.Form):
    name = forms.CharField(label=_("Name of the location"), max_length=200,
                           help_text=_("For example: Head office, data entry centre"))
    address = forms.CharField(label=_("Address"), max_length=300)
    room = forms.CharField(label=_("Room"), max_length=200, required=False,
                           help_text=_("Floor and room, for example: 3F, room 301"))
    networks = forms.CharField(
        label=_("Networks"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One range per line in CIDR notation, IPv4 or IPv6 (for example 192.0.2.0/24 or "
                    "2001:db8:1::/48). The vault can be used only from these networks."),
    )
    storage = forms.CharField(
        label=_("Where data is stored"), widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: the encrypted vault; paper forms in a locked cabinet in room 301"),
    )
    safeguards = forms.CharField(
        label=_("Physical safeguards"), widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: entry by IC card, locked cabinets, no personal phones in the room"),
    )

    @classmethod
    def of(cls, location: WorkLocation) -> LocationForm:
        """The form filled with a location as it is now, networks one a line."""
        return cls(initial={
            "name": location.name, "address": location.address, "room": location.room,
            "networks": "\n".join(location.networks), "storage": location.storage,
            "safeguards": location.safeguards,
        })

    def clean_networks(self) -> list[str]:
        try:
            return parse_networks(self.cleaned_data["networks"])
        except UserError as error:
            raise forms.ValidationError(f"{error.message_ja} / {error.message_en}") from None
