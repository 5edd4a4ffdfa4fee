"""Static export: the public site written as files that any static web server can serve.

Each page is rendered by the app itself (through a test client, so exactly what the live
site sends) and written where a static server finds it when the export folder is the web
root: a URL whose last segment has no extension becomes a folder with index.html (`/o/<code>`
→ `o/<code>/index.html`; servers redirect `/o/<code>` to `/o/<code>/`), a URL with an
extension is written as it is (`/o/<code>/finance/2026-10.csv`). Templates keep their links.

The crawl starts from the home page, every unit, every publication and its history, every
content page and the feeds, and follows the links of each HTML page. Links with a query string
(other pages of a list, another language, a filter) and the dynamic parts of the site (search,
the hotline form, logins, the console, the JSON API, Open311) are not exported: the static copy
shows each list's first page in one language (`lang`).
"""

import re
import shutil
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app

from . import services

# Dynamic routes: they answer requests, so a static copy cannot stand in for them.
DYNAMIC_PREFIXES = ("/search", "/hotline", "/login", "/logout", "/console", "/api/", "/open311", "/training/",
                    "/static/")
LINK = re.compile(r"""\s(?:href|src)="([^"]*)\"""")


@dataclass
class ExportResult:
    """What an export wrote: pages (files rendered by the app), seconds, and links that answered no page."""

    pages: int = 0
    seconds: float = 0.0
    broken: list = field(default_factory=list)  # (linking page, link, status)

    @property
    def pages_per_second(self):
        return self.pages / self.seconds if self.seconds else 0.0


def file_for(path):
    """The file (relative to the export folder) of the URL path `path`."""
    parts = [p for p in path.split("/") if p]
    if not parts:
        return Path("index.html")
    if "." in parts[-1]:
        return Path(*parts)
    return Path(*parts, "index.html")


def internal_path(link, base_url):
    """The path of `link` when it is a page of this site worth exporting, else None."""
    if link.startswith(base_url):
        link = link[len(base_url.rstrip("/")):] or "/"
    link = link.replace("&amp;", "&")
    if not link.startswith("/") or link.startswith("//"):
        return None  # another site, a fragment, or a relative ?query
    parts = urlsplit(link)
    if parts.query or parts.path.startswith(DYNAMIC_PREFIXES):
        return None
    return parts.path


def seed_paths():
    """The pages every export starts from: home, feeds, ledger, downloads, units, publications, content pages."""
    paths = ["/", "/feed.atom", "/ledger.jsonl", "/publications.csv", "/publications.json"]
    for unit in services.all_units():
        paths += [f"/o/{unit.code}", f"/o/{unit.code}/feed.atom"]
    for pub_id in services.all_publication_ids():
        paths += [f"/p/{pub_id}", f"/p/{pub_id}/history"]
    content = Path(current_app.config["CONTENT_DIR"])
    paths += [f"/pages/{p.stem}" for p in sorted(content.glob("*.md")) if services.SLUG.match(p.stem)]
    return paths


def export_site(app, dest, base_url="http://localhost", lang=None, progress=None):
    """Write the public site under the folder `dest`; return an ExportResult."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    result = ExportResult()
    started = time.perf_counter()
    client = app.test_client()
    if lang:
        client.get(f"/?lang={lang}", base_url=base_url)  # the language stays in the client's session
    with app.app_context():
        queue = deque(seed_paths())
    linked_from = dict.fromkeys(queue)  # path → the page that linked to it (None for a seed)
    while queue:
        path = queue.popleft()
        resp = client.get(path, base_url=base_url)
        body = resp.get_data()
        resp.close()  # ends a streamed response's request context
        if resp.status_code != 200:
            result.broken.append((linked_from[path], path, resp.status_code))
            continue
        target = dest / file_for(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)
        result.pages += 1
        if progress and result.pages % 1000 == 0:
            progress(result.pages, len(queue))
        if resp.mimetype == "text/html":
            for link in LINK.findall(body.decode("utf-8")):
                found = internal_path(link, base_url)
                if found is not None and found not in linked_from:
                    linked_from[found] = path
                    queue.append(found)
    shutil.copytree(app.extensions["portal_static_root"], dest / "static", dirs_exist_ok=True)
    result.seconds = time.perf_counter() - started
    return result
