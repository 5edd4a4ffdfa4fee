"""What console_menu, dashboard_widgets and public_sections return: plain data for templates."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class MenuLink:
    """A link in the staff console's menu."""

    label: object
    endpoint: str
    values: dict = field(default_factory=dict, hash=False)
    order: int = 100


@dataclass
class Widget:
    """A dashboard tile: a title, a template and its context."""

    title: object
    template: str
    context: dict = field(default_factory=dict)
    order: int = 100


@dataclass
class Section:
    """A section of a public org page: a title, a template and its context."""

    title: object
    template: str
    context: dict = field(default_factory=dict)
    order: int = 100


@dataclass(frozen=True)
class Handover:
    """What take_objection returns: the code the villager follows the matter with, and the page to follow it on."""

    reference: str
    url: str
    label: object = ""
