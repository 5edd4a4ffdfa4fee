"""Users, roles, scoped grants, login, and the one access check `can(user, permission, org)`."""

from .access import Permission, RoleSpec, can, org_or_404, permission_required, scope_roots
from .models import Grant, Role, User

__all__ = ["Grant", "Permission", "Role", "RoleSpec", "User", "can", "org_or_404",
           "permission_required", "scope_roots"]
