"""What console_menu, dashboard_widgets and public_sections return, and what pages hand their templates:
plain data for templates."""

from dataclasses import dataclass, field
from typing import NamedTuple


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
    """What take_objection returns: the code the villager follows the matter with, and the pages to follow it on.

    `url` is the first answer, right after filing (it may greet the villager with the new code);
    `follow_url` is where they come back later, so they are not told again that it was just stored.
    Without a `follow_url`, `url` serves both.
    """

    reference: str
    url: str
    label: object = ""
    follow_url: str = ""

    def __post_init__(self):
        if not self.follow_url:
            object.__setattr__(self, "follow_url", self.url)  # frozen: set once, here


class Problem(NamedTuple):
    """A filter value that was not understood: its field, what was wrong with it, and what is shown instead.

    A page shows something else in its place, and says so (console/_forms.html: invalid, filter_errors).
    """

    field: str
    message: str
    instead: str
