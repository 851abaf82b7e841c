"""Navigation by role: each domain registers its entries; the layout shows what the user may open."""

from dataclasses import dataclass

from fundapp.core.permissions import Role


@dataclass(frozen=True)
class NavItem:
    label: str
    endpoint: str
    roles: tuple[Role, ...]  # empty: everyone signed in
    order: int = 50
    #: Other endpoints under which this entry shows as the current page.
    also: tuple[str, ...] = ()

    def is_current(self, endpoint: str | None) -> bool:
        return endpoint == self.endpoint or endpoint in self.also


_ITEMS: list[NavItem] = []


def register_nav(*items: NavItem) -> None:
    for item in items:
        if item not in _ITEMS:
            _ITEMS.append(item)


def nav_for(user) -> list[NavItem]:
    if not getattr(user, "is_authenticated", False):
        return []
    return sorted(
        (i for i in _ITEMS if not i.roles or user.has_any_role(*i.roles)),
        key=lambda i: (i.order, i.label),
    )
