"""The read-only public site, its JSON API and feeds. Reads only publications, the org tree
and content pages; never a plugin's models."""
