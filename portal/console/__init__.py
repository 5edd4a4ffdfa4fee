"""The staff shell: dashboard, plugin activation, users, org tree."""
