"""Org units, people and the positions they hold."""

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import as_loaded, db
from ..timeutil import utcnow
from .memo import memoized


class OrgUnit(db.Model):
    """A unit of the org tree: county, township, village, branch, committee…"""

    __tablename__ = "org_unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(120))
    code: Mapped[str] = mapped_column(String(40), unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    # Materialised path of ids, "/1/4/17/": a subtree is one LIKE prefix query.
    path: Mapped[str] = mapped_column(String(400), index=True, default="")
    depth: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[object] = mapped_column(db.DateTime, default=utcnow)
    # When the unit came into being (a village set up in 2026-06): nothing is required of it before.
    # Empty: it existed before the records began. created_at cannot stand in: it is when the row was
    # written, and an import stamps every unit with the day of the import.
    established_on: Mapped[date | None] = mapped_column(db.Date)

    parent: Mapped["OrgUnit | None"] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["OrgUnit"]] = relationship(
        back_populates="parent", order_by="OrgUnit.code"
    )

    def __repr__(self):
        return f"<OrgUnit {self.code} {self.name}>"

    @property
    def ancestor_ids(self):
        """Ids from the root down to this unit, inclusive."""
        return [int(p) for p in self.path.strip("/").split("/") if p]

    @classmethod
    def by_code(cls, code):
        """The unit with `code` (or None), its ancestors with it: a page or a filing of a unit nearly
        always climbs the tree next (township, settings, switches). The rows are kept in the worker
        until the tree changes (portal.orgs.memo), so a known code costs no query."""
        code = (code or "").strip()
        rows = memoized(("unit rows", code), lambda: cls._rows_with_ancestors(code))
        if not rows:
            return None
        units = [as_loaded(cls, row) for row in rows]
        unit = units[-1]
        unit.__dict__["_ancestors_of_path"] = (unit.path, units[:-1])
        return unit

    @classmethod
    def _rows_with_ancestors(cls, code):
        unit = db.session.scalar(select(cls).where(cls.code == code))
        if unit is None:
            return ()
        columns = [column.key for column in cls.__table__.columns]
        return tuple({key: getattr(u, key) for key in columns} for u in [*unit.ancestors(), unit])

    def ancestors(self):
        """Units from the root down to the parent of this one."""
        ids = self.ancestor_ids[:-1]
        if not ids:
            return []
        # loaded once per unit object (a request's session), again if the unit moved
        cached = self.__dict__.get("_ancestors_of_path")
        if cached is not None and cached[0] == self.path:
            return list(cached[1])
        found = {u.id: u for u in db.session.scalars(select(OrgUnit).where(OrgUnit.id.in_(ids)))}
        units = [found[i] for i in ids if i in found]
        self.__dict__["_ancestors_of_path"] = (self.path, units)
        return list(units)

    def existed_on(self, day):
        """True when the unit had been established by `day`; one with no date always had."""
        return self.established_on is None or self.established_on <= day

    def is_within(self, other):
        """True when this unit is `other` or below it."""
        return self.path.startswith(other.path)

    def subtree_query(self):
        """A select of this unit and everything below it."""
        return select(OrgUnit).where(OrgUnit.path.startswith(self.path, autoescape=True))

    def subtree_ids(self):
        """A select of the ids of this unit and everything below it."""
        return self.subtree_query().with_only_columns(OrgUnit.id)

    def ancestor_of_kind(self, kind):
        """The nearest unit of `kind` at or above this one, or None."""
        if self.kind == kind:
            return self
        for unit in reversed(self.ancestors()):
            if unit.kind == kind:
                return unit
        return None

    def nearest_of_kind(self, units, kind):
        """{unit id: the nearest unit of `kind` at or above it, or None} for `units` within this unit's
        subtree, in one query: a roll-up by township of a county's hundreds of villages or branches
        would otherwise read each one's ancestors."""
        found = {u.id: u for u in db.session.scalars(self.subtree_query().where(OrgUnit.kind == kind))}
        above = self.ancestor_of_kind(kind)
        if above is not None:
            found[above.id] = above
        return {u.id: next((found[i] for i in reversed(u.ancestor_ids) if i in found), None) for u in units}

    @property
    def kind_label(self):
        from .kinds import kind_for

        k = kind_for(self.kind)
        return k.label if k else self.kind


class Person(db.Model):
    """A person who holds or held positions in org units (a cadre, a party member…)."""

    __tablename__ = "org_person"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    # Personal data: never on a public page; views are audited.
    phone: Mapped[str | None] = mapped_column(String(30))
    note: Mapped[str | None] = mapped_column(String(400))
    created_at: Mapped[object] = mapped_column(db.DateTime, default=utcnow)

    positions: Mapped[list["Position"]] = relationship(back_populates="person", order_by="Position.start_date")

    def __repr__(self):
        return f"<Person {self.id} {self.name}>"


class Position(db.Model):
    """A person holding a title in a unit from a date to a date (村党支部书记 of 导子村 since …)."""

    __tablename__ = "org_position"
    __table_args__ = (Index("ix_org_position_org_title", "org_id", "title"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("org_person.id"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    title: Mapped[str] = mapped_column(String(60))
    start_date: Mapped[date] = mapped_column(db.Date)
    end_date: Mapped[date | None] = mapped_column(db.Date)

    person: Mapped[Person] = relationship(back_populates="positions")
    org: Mapped[OrgUnit] = relationship()

    def current_on(self, day):
        """True when the position is held on `day`."""
        return self.start_date <= day and (self.end_date is None or self.end_date >= day)


POSITION_TITLES = (
    ("secretary", _l("Party branch secretary (书记)")),
    ("deputy_secretary", _l("Deputy secretary (副书记)")),
    ("branch_committee", _l("Branch committee member (支委)")),
    ("committee_director", _l("Village committee director (村委会主任)")),
    ("committee_member", _l("Village committee member (村委委员)")),
    ("supervision_director", _l("Supervision committee director (监委会主任)")),
    ("supervision_member", _l("Supervision committee member (监委会委员)")),
    ("clerk", _l("Clerk (文书)")),
    ("accountant", _l("Accountant (会计)")),
    ("party_member", _l("Party member (党员)")),
    ("probationary_member", _l("Probationary member (预备党员)")),
    ("group_leader", _l("Party group leader (党小组长)")),
    ("township_cadre", _l("Township cadre (乡镇干部)")),
    ("county_cadre", _l("County cadre (县级干部)")),
)
