"""Sets: `library` with a child set per library of the network tree (`library:LN:LN-SY:LN-SY-KP`), holding the
records with a copy whose home library is in that subtree; `type` with a child per resource type (`type:print`)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from shelfmark.catalog.models import ResourceType
from shelfmark.libraries.models import Library

LIBRARY = "library"
TYPE = "type"
_UNRESERVED = re.compile(r"[A-Za-z0-9\-_.!*'()]")


def encode_part(code: str) -> str:
    """Make a library code a setSpec part: characters a setSpec cannot hold (and "~", the escape) become ~XX."""
    return "".join(ch if _UNRESERVED.fullmatch(ch) else "".join(f"~{b:02X}" for b in ch.encode()) for ch in code)


@dataclass(frozen=True)
class Node:
    pk: int
    code: str
    name: str
    parent_id: int | None
    path: str


class Network:
    """The library tree, read once per request, for set specs and their names."""

    def __init__(self) -> None:
        self.nodes = {
            pk: Node(pk, code, name, parent, path)
            for pk, code, name, parent, path in Library.objects.values_list("pk", "code", "name", "parent_id", "path")
        }
        self._specs: dict[int, str] = {}
        self.by_spec = {self.spec(pk): node for pk, node in self.nodes.items()}

    def spec(self, pk: int) -> str:
        """Return the setSpec of a library: `library:` and the codes from the root down to it."""
        if pk not in self._specs:
            node = self.nodes[pk]
            above = self.spec(node.parent_id) if node.parent_id in self.nodes else LIBRARY
            self._specs[pk] = f"{above}:{encode_part(node.code)}"
        return self._specs[pk]


@dataclass(frozen=True)
class SetFilter:
    """What a setSpec selects: every held record (`library`), a library subtree, every record (`type`) or one
    resource type."""

    kind: str
    library_path: str = ""
    resource_type: str = ""


def resolve(spec: str, network: Network) -> SetFilter | None:
    """Return the filter of a setSpec, or None when no such set exists."""
    if spec == LIBRARY:
        return SetFilter(LIBRARY)
    if spec == TYPE:
        return SetFilter(TYPE)
    if spec.startswith(f"{TYPE}:"):
        value = spec[len(TYPE) + 1 :]
        return SetFilter(TYPE, resource_type=value) if value in ResourceType.values else None
    node = network.by_spec.get(spec)
    return SetFilter(LIBRARY, library_path=node.path) if node is not None else None


def all_sets(network: Network) -> list[tuple[str, str]]:
    """Return every set as (setSpec, setName): the two roots, the resource types, then the libraries in tree order."""
    sets = [(TYPE, _("按资源类型")), (LIBRARY, _("按所属馆"))]
    sets[1:1] = [(f"{TYPE}:{value}", str(label)) for value, label in ResourceType.choices]
    libraries = sorted(network.nodes.values(), key=lambda node: node.path)
    sets += [(network.spec(node.pk), node.name) for node in libraries]
    return sets
