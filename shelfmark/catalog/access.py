"""Permission-checked fetches of records: API operations and pages ask here, never decide themselves.

A record is edited where it was catalogued: `catalog.edit` at `Record.library`. Records without a
library belong to the whole network and need the permission at the root of the tree.
"""

from __future__ import annotations

from typing import Any

from shelfmark.accounts import permissions
from shelfmark.catalog.models import ImportJob, Record
from shelfmark.core.errors import NotFound, PermissionDenied
from shelfmark.libraries.models import Library


def may(user: Any, perm: str, library: Library | None) -> bool:
    """Tell whether `user` may do `perm` at `library`; None means at the root of the network."""
    if library is not None:
        return permissions.has_perm(user, perm, library)
    roots = list(Library.objects.filter(parent__isnull=True))
    if not roots:
        return bool(getattr(user, "is_superuser", False)) and permissions.has_perm(user, perm, None)
    return all(permissions.has_perm(user, perm, root) for root in roots)


def require(user: Any, perm: str, library: Library | None) -> None:
    """Raise PermissionDenied naming the permission and place unless `user` may do `perm` there."""
    if not may(user, perm, library):
        where = library.code if library is not None else "the network root"
        raise PermissionDenied(f"Permission {perm} is not granted at {where}.")


def require_view(user: Any) -> None:
    """Let in any staff member who may view the shared catalogue somewhere in the network."""
    if not permissions.has_perm(user, "catalog.view", None):
        raise PermissionDenied("Permission catalog.view is not granted.")


def get_record_for_view(user: Any, record_id: int) -> Record:
    """Return the record for reading, or raise PermissionDenied / NotFound."""
    require_view(user)
    return _get(record_id)


def get_record_for_edit(user: Any, record_id: int) -> Record:
    """Return the record for changing, or raise PermissionDenied / NotFound; refuses before any write."""
    record = get_record_for_view(user, record_id)
    require(user, "catalog.edit", record.library)
    return record


def require_create(user: Any, library: Library | None) -> None:
    """Refuse unless `user` may catalogue new records at `library` (None: network-level)."""
    require(user, "catalog.edit", library)


def require_import_somewhere(user: Any) -> None:
    """Let in the import page only those who may import MARC files into at least one library."""
    if not permissions.has_perm(user, "catalog.import", None):
        raise PermissionDenied("Permission catalog.import is not granted.")


def get_import_job(user: Any, job_id: int) -> ImportJob:
    """Return an import job to its owner, or to anyone who may import where it imported."""
    try:
        job = ImportJob.objects.select_related("library").get(pk=job_id)
    except ImportJob.DoesNotExist:
        raise NotFound(f"No import job with id {job_id}.", field="id") from None
    if job.actor_id != getattr(user, "pk", None):
        require(user, "catalog.import", job.library)
    return job


def require_import(user: Any, library: Library | None) -> None:
    """Refuse unless `user` may import MARC files into `library` (None: network-level)."""
    require(user, "catalog.import", library)


def _get(record_id: int) -> Record:
    try:
        return Record.objects.select_related("library").get(pk=record_id)
    except Record.DoesNotExist:
        raise NotFound(f"No record with id {record_id}.", field="id") from None
