"""URL parameters of the incident pages: an incident of the world's contract with one instruction."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from itaku.incidents import services
from tests.incidents.support import raised


def url_params(world) -> dict[str, int]:
    incident = raised(world)
    services.issue_instruction(world.supervisor, incident, text="原因を調査し報告すること。",
                               due_on=timezone.localdate() + dt.timedelta(days=3))
    return {"incident_id": incident.pk, "number": 1}
