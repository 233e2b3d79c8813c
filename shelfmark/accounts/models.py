"""Staff roles granted on a subtree of the network, and API tokens for kiosks and partners."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shelfmark.libraries.models import Library


class Role(models.TextChoices):
    ADMIN = "admin", _("系统管理员")
    CATALOGUER = "cataloguer", _("编目员")
    CIRCULATION = "circulation", _("流通馆员")
    VIEWER = "viewer", _("只读")


class RoleGrant(models.Model):
    """A role a staff member holds on a library and everything below it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices)
    library = models.ForeignKey(Library, on_delete=models.CASCADE, related_name="role_grants")

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        constraints = [models.UniqueConstraint(fields=["user", "role", "library"], name="role_grant_unique")]

    def __str__(self) -> str:
        return f"{self.user} {self.role} @ {self.library.code}"
