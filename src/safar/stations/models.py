"""Scanner stations at the border centres, and their upload tokens."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from safar.core.models import Office


class Station(models.Model):
    name = models.CharField(_("name"), max_length=60, unique=True)
    centre = models.ForeignKey(Office, verbose_name=_("border centre"), on_delete=models.PROTECT,
                               related_name="stations",
                               limit_choices_to={"kind": Office.Kind.BORDER_CENTRE})
    created_at = models.DateTimeField(_("registered"), default=timezone.now)
    last_contact_at = models.DateTimeField(_("last contact"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("station")
        verbose_name_plural = _("stations")

    def __str__(self) -> str:
        return self.name
