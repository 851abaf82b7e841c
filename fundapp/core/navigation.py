"""Navigation by role, grouped by task: each domain registers its entries; the layout shows what the user may open.

An entry belongs to a group (a task: "Concept notes", "Committee", "Contributions" …); the bar shows one top-level
entry per group, a menu of its links, so that no role sees more than a handful of entries (the test says at
most eight). A group the user sees one link of is that link; an entry without a group stands alone.
"""

from dataclasses import dataclass

from fundapp.core.i18n import _l
from fundapp.core.permissions import Role

#: The groups in the order the bar shows them (a group not named here comes after, by its first entry's order).
GROUP_ORDER = (
    "Concept notes",
    "Committee",
    "Programmes",
    "Contributions",
    "Reports",
    "Set-up",
    "Administration",
)
#: What the bar shows for each group (the group keys stay English: domains register entries under them).
GROUP_LABELS = {
    "Concept notes": _l("Concept notes"),
    "Committee": _l("Committee"),
    "Programmes": _l("Programmes"),
    "Contributions": _l("Contributions"),
    "Reports": _l("Reports"),
    "Set-up": _l("Set-up"),
    "Administration": _l("Administration"),
}


@dataclass(frozen=True)
class NavItem:
    label: str
    endpoint: str
    roles: tuple[Role, ...]  # empty: everyone signed in
    order: int = 50
    #: Other endpoints under which this entry shows as the current page.
    also: tuple[str, ...] = ()
    #: The task group the entry is listed under; empty: a top-level entry of its own.
    group: str = ""
    #: Shown to visitors who are not signed in as well.
    public: bool = False

    def is_current(self, endpoint: str | None) -> bool:
        return endpoint == self.endpoint or endpoint in self.also


@dataclass(frozen=True)
class NavGroup:
    """One top-level entry of the bar: a group's links for this user (one link: the link itself)."""

    label: str
    items: tuple[NavItem, ...]

    @property
    def single(self) -> NavItem | None:
        return self.items[0] if len(self.items) == 1 else None

    def is_current(self, endpoint: str | None) -> bool:
        return any(item.is_current(endpoint) for item in self.items)


_ITEMS: list[NavItem] = []


def register_nav(*items: NavItem) -> None:
    for item in items:
        if item not in _ITEMS:
            _ITEMS.append(item)


def nav_for(user) -> list[NavItem]:
    """Every entry the user may open, in order (visitors: the public ones)."""
    if not getattr(user, "is_authenticated", False):
        return sorted((i for i in _ITEMS if i.public), key=lambda i: (i.order, i.label))
    return sorted(
        (i for i in _ITEMS if not i.roles or user.has_any_role(*i.roles)),
        key=lambda i: (i.order, i.label),
    )


def _group_key(group: NavGroup) -> tuple[int, int]:
    first = group.items[0]
    if first.group in GROUP_ORDER:
        return (GROUP_ORDER.index(first.group) + 1) * 10, first.order
    return first.order, 0


def nav_groups(user) -> list[NavGroup]:
    """The bar's top-level entries for the user: entries gathered by group (visitors: the public links, flat)."""
    items = nav_for(user)
    if not getattr(user, "is_authenticated", False):
        return [NavGroup(item.label, (item,)) for item in items]
    grouped: dict[str, list[NavItem]] = {}
    for item in items:
        grouped.setdefault(item.group or f"\0{item.endpoint}", []).append(item)
    groups = [
        NavGroup(members[0].label if key.startswith("\0") else GROUP_LABELS.get(key, key), tuple(members))
        for key, members in grouped.items()
    ]
    return sorted(groups, key=_group_key)
