"""The plugin host: built-in and entry-point plugins, per-township activation."""

import importlib

import pluggy
from flask import abort
from sqlalchemy import ForeignKey, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column

from . import hookspecs
from .extensions import db
from .orgs.memo import memoized
from .orgs.models import OrgUnit
from .timeutil import utcnow

ENTRY_POINT_GROUP = "portal.plugins"
CORE = "core"  # the core's own hookimpls (portal.defaults): always active, not switchable


class PluginActivation(db.Model):
    """A plugin switched on or off at a unit (a township); units below inherit."""

    __tablename__ = "plugin_activation"
    __table_args__ = (UniqueConstraint("org_id", "plugin"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    plugin: Mapped[str] = mapped_column(String(60))
    enabled: Mapped[bool]
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("account_user.id"))
    changed_at: Mapped[object] = mapped_column(db.DateTime, default=utcnow, onupdate=utcnow)


class PluginError(ValueError):
    """A refused plugin operation; the message is for the user."""


class PluginHost:
    """One pluggy manager per app, and what the plugins registered through it."""

    def __init__(self, extra_plugins=(), disabled=()):
        self.pm = pluggy.PluginManager("portal")
        self.pm.add_hookspecs(hookspecs)
        from . import defaults

        self.pm.register(defaults, name=CORE)
        for name in disabled:
            self.pm.set_blocked(name)
        self.pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
        for spec in extra_plugins:
            self.register(spec)
        self._subset_cache = {}
        # Filled by collect(): what the hooks declared.
        self.permissions = {}
        self.role_specs = []
        self.settings = {}
        self.org_kinds = {}
        self.publication_kinds = {}
        self.audit_labels = None

    def register(self, plugin, name=None):
        """Register a plugin object or an import path ('package.module' or 'package.module:obj')."""
        if isinstance(plugin, str):
            module_name, _, attr = plugin.partition(":")
            obj = importlib.import_module(module_name)
            plugin = getattr(obj, attr) if attr else obj
            name = name or module_name.rsplit(".", 1)[-1]
        self.pm.register(plugin, name=name or getattr(plugin, "name", None))
        self._subset_cache = {}
        return plugin

    def unregister(self, name):
        self.pm.unregister(name=name)
        self._subset_cache = {}

    @property
    def hook(self):
        """Hooks of every registered plugin (for app-wide hooks such as register_blueprints)."""
        return self.pm.hook

    def label(self, name):
        """A plugin's name for people: its module's LABEL (translatable), else its registered name."""
        plugin = self.pm.get_plugin(name)
        return getattr(plugin, "LABEL", None) or name

    def names(self):
        """Names of the switchable plugins, sorted."""
        return sorted(n for n, _ in self.pm.list_name_plugin() if n != CORE and not self.pm.is_blocked(n))

    def collect(self):
        """Call the register_* hooks once and check what they return."""
        from .orgs.kinds import CORE_KINDS

        self.permissions = {}
        for items in self.pm.hook.register_permissions():
            for perm in items or ():
                self.permissions[perm.name] = perm
        self.role_specs = [spec for items in self.pm.hook.register_roles() for spec in (items or ())]
        for spec in self.role_specs:
            unknown = set(spec.permissions) - set(self.permissions)
            if unknown:
                raise PluginError(f"role {spec.name} names unknown permissions {sorted(unknown)}")
        self.settings = {}
        for items in self.pm.hook.register_settings():
            for spec in items or ():
                if spec.key in self.settings:
                    raise PluginError(f"setting {spec.key} declared twice")
                self.settings[spec.key] = spec
        self.org_kinds = {k.name: k for k in CORE_KINDS}
        for items in self.pm.hook.register_org_kinds():
            for kind in items or ():
                self.org_kinds[kind.name] = kind
        self.publication_kinds = {}
        for impl in self.pm.hook.publication_kinds.get_hookimpls():
            owner = impl.plugin_name
            for kind in impl.function() or ():
                if kind.plugin != owner:
                    raise PluginError(f"plugin {owner} declares a publication kind of {kind.plugin}")
                self.publication_kinds[(kind.plugin, kind.name)] = kind
        self.audit_labels = self._audit_labels()

    def role_label(self, name, stored=""):
        """A role's label in the reader's language: the first registered RoleSpec's, as sync_roles takes it.

        The account_role table keeps the label in the language `portal init` ran in; `stored` is
        shown only for a role that no plugin declares any more.
        """
        return next((spec.label for spec in self.role_specs if spec.name == name), stored or name)

    def _audit_labels(self):
        """The AUDIT_LABELS of the core and every plugin, merged (like LABEL, a module attribute).

        A plugin labels only its own actions ('<plugin>.…'); the first label of a type or field name
        stays (the core registers first), so a plugin cannot relabel what the core or another names.
        """
        from .audit import AuditLabels

        merged = AuditLabels()
        for name, plugin in self.pm.list_name_plugin():
            labels = getattr(plugin, "AUDIT_LABELS", None)
            if labels is None:
                continue
            stray = sorted(a for a in labels.actions if name != CORE and not a.startswith(name + "."))
            if stray:
                raise PluginError(f"plugin {name} labels audit actions that are not its own: {stray}")
            merged.actions.update(labels.actions)
            for mine, theirs in ((merged.objects, labels.objects), (merged.fields, labels.fields)):
                for key, label in theirs.items():
                    mine.setdefault(key, label)
        return merged

    def blueprints(self):
        """[(plugin_name, blueprint)] after checking each blueprint is named after its plugin."""
        out = []
        for impl in self.pm.hook.register_blueprints.get_hookimpls():
            owner = impl.plugin_name
            for bp in impl.function() or ():
                if bp.name != owner and not bp.name.startswith(owner + "_"):
                    raise PluginError(f"plugin {owner} registers blueprint {bp.name!r}; "
                                      f"it must be named {owner!r} or start with {owner + '_'!r}")
                out.append((owner, bp))
        return out

    # --- activation ---------------------------------------------------------------

    def _rows_on_path(self, org):
        ids = org.ancestor_ids
        rows = db.session.scalars(select(PluginActivation).where(PluginActivation.org_id.in_(ids))).all()
        depth = {unit_id: i for i, unit_id in enumerate(ids)}
        return sorted(rows, key=lambda r: depth[r.org_id])

    def active_names(self, org):
        """Plugins active at `org`: the nearest switch on its path decides.

        Above township level (a county) a plugin counts as active when some township
        below has it on, so county dashboards see every module in use.
        """
        if org is None:
            return set(self.names())
        return set(memoized(("active_names", org.path, org.kind), lambda: frozenset(self._active_names(org))))

    def _active_names(self, org):
        state = {}
        for row in self._rows_on_path(org):
            state[row.plugin] = row.enabled
        active = {name for name in self.names() if state.get(name)}
        if org.kind == "county":
            below = db.session.scalars(
                select(PluginActivation.plugin).join(OrgUnit, PluginActivation.org_id == OrgUnit.id)
                .where(OrgUnit.path.startswith(org.path, autoescape=True), PluginActivation.enabled.is_(True))
            )
            active |= set(below) & set(self.names())
        return active

    def is_active(self, plugin, org):
        return plugin in self.active_names(org)

    def units_where_active(self, plugin, units):
        """The units among `units` (below the county level) where `plugin` is active, in one query.

        The same rule as active_names: the nearest switch on a unit's path decides.
        """
        switches = dict(db.session.execute(select(PluginActivation.org_id, PluginActivation.enabled)
                                           .where(PluginActivation.plugin == plugin)).all())
        out = []
        for unit in units:
            state = False
            for unit_id in unit.ancestor_ids:  # from the root down: the nearest switch is seen last
                state = switches.get(unit_id, state)
            if state:
                out.append(unit)
        return out

    def require_active(self, plugin, org):
        """Abort with 404 unless `plugin` is on at `org` (plugin routes call this)."""
        if not self.is_active(plugin, org):
            abort(404)

    def hooks_for(self, org):
        """A hook relay calling only the core and the plugins active at `org`."""
        inactive = frozenset(set(self.names()) - self.active_names(org))
        return _SubsetHooks(self, inactive)

    def check_switchable(self, plugin, org):
        """Raise PluginError unless `plugin` is a module that can be switched at `org` (a township or a county)."""
        from flask_babel import gettext as _

        if plugin not in self.names():
            raise PluginError(_("Unknown plugin: %(name)s", name=plugin))
        if org.kind not in ("township", "county"):
            raise PluginError(_("Modules are switched on or off for a township or a county."))

    def set_enabled(self, plugin, org, enabled, user=None):
        """Switch `plugin` on or off at `org` (a township, or a county for all below)."""
        self.check_switchable(plugin, org)
        row = db.session.scalar(select(PluginActivation).where(PluginActivation.org_id == org.id,
                                                               PluginActivation.plugin == plugin))
        if row is None:
            row = PluginActivation(org_id=org.id, plugin=plugin, enabled=enabled)
            db.session.add(row)
        row.enabled = enabled
        row.changed_by_id = user.id if user is not None else None
        from . import audit

        audit.record("plugin.enable" if enabled else "plugin.disable", obj=row, org=org,
                     detail={"plugin": plugin}, user=user)
        return row


class _SubsetHooks:
    """Attribute access to hook callers that skip the inactive plugins."""

    def __init__(self, host, inactive):
        self._host, self._inactive = host, inactive

    def __getattr__(self, name):
        key = (name, self._inactive)
        cache = self._host._subset_cache
        if key not in cache:
            remove = [self._host.pm.get_plugin(n) for n in self._inactive]
            cache[key] = self._host.pm.subset_hook_caller(name, remove_plugins=[p for p in remove if p is not None])
        return cache[key]
