"""First-party plugins, loaded through the `portal.plugins` entry points like anyone else's."""
