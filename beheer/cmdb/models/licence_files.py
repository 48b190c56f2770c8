"""A licence's files (the certificate, a key file, the purchase PDF), archived with versions.

A file has a name per licence; uploading under the same name again adds a version, and the earlier
versions stay downloadable. Staff only, by every route (`access.RoleQuerySet`). Stored under a random
name (0600 in a 0700 folder, the project's upload settings) and served only through permission-checked
downloads (`core.files.download_response`).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from beheer.core import access

from .licences import Licence


def licence_file_path(instance: LicenceFileVersion, filename: str) -> str:
    return f"licences/{instance.uploaded_at:%Y/%m}/{uuid.uuid4().hex}"


class LicenceFileQuerySet(access.RoleQuerySet, models.QuerySet["LicenceFile"]):
    audience = access.Audience.STAFF


class LicenceFile(models.Model):
    """One named file of a licence; its content lives in its versions."""

    licence = models.ForeignKey(
        Licence, on_delete=models.CASCADE, related_name="files", verbose_name=_("licence")
    )
    name = models.CharField(_("name"), max_length=200)
    created_at = models.DateTimeField(_("created"))

    objects = LicenceFileQuerySet.as_manager()

    class Meta:
        verbose_name = _("licence file")
        verbose_name_plural = _("licence files")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["licence", "name"], name="uniq_cmdb_licence_file_name")
        ]

    def __str__(self) -> str:
        return self.name


class LicenceFileVersionQuerySet(access.RoleQuerySet, models.QuerySet["LicenceFileVersion"]):
    audience = access.Audience.STAFF


class LicenceFileVersion(models.Model):
    """One upload of a licence file: version 1, 2, ...; every version is kept until deleted."""

    licence_file = models.ForeignKey(
        LicenceFile, on_delete=models.CASCADE, related_name="versions", verbose_name=_("file")
    )
    number = models.PositiveIntegerField(_("version"))
    file = models.FileField(upload_to=licence_file_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded"))

    objects = LicenceFileVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("licence file version")
        verbose_name_plural = _("licence file versions")
        ordering = ["licence_file", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["licence_file", "number"], name="uniq_cmdb_licence_file_version")
        ]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.number})"
