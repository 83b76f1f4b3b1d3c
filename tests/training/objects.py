"""The objects the training URLs name, created inside the world's contract (for tests/test_access.py)."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile

from itaku.submissions.models import Attachment
from itaku.training import services
from itaku.training.models import TOPIC_CODES


def url_params(world) -> dict[str, int]:
    """A course material: the one object a training URL names."""
    material = SimpleUploadedFile("教材.pdf", b"%PDF-1.4 material", content_type="application/pdf")
    course = services.add_course(world.responsible, world.contract, title="URL確認用研修", topics=list(TOPIC_CODES),
                                 material=material)
    attachment = Attachment.objects.get(subject_type=ContentType.objects.get_for_model(course), subject_id=course.pk)
    return {"attachment": attachment.pk}
