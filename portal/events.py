"""Domain events, delivered through the on_event hook to the plugins active at the event's org."""

from dataclasses import dataclass, field

from flask import current_app


@dataclass
class Event:
    """Something that happened: a name ('published', 'case.filed'…), where, and its data."""

    name: str
    org: object
    data: dict = field(default_factory=dict)


def emit(name, org=None, **data):
    """Deliver Event(name, org, data) to on_event of every plugin active at `org`."""
    event = Event(name, org, data)
    host = current_app.extensions["portal"]
    caller = host.hooks_for(org) if org is not None else host.hook
    caller.on_event(event=event)
    return event
