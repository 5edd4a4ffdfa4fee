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
shows each list's first page in one language (`lang`). Nor is any page the app does not mark as
shareable (`Cache-Control: public`): a form carries one visitor's CSRF token, and a page read
from a plugin's working data is not the ledger's. A page whose URL also answers POST is a form
(an objection, a 点题 request) and is left to the live site without being rendered. Links to such
pages stay links to the live site.

The folder may be served while it is written: each file is written beside its place and moved
into it whole. An export into a folder written by an earlier one (it holds the MARKER file)
removes at the end the files the new export did not write (pages the site no longer links to or
no longer shares, such as the objection forms an older release exported); any other folder must
be empty, so an export never deletes files it did not write.
"""

import contextvars
import multiprocessing
import os
import re
import shutil
import time
from collections import deque
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app
from werkzeug.exceptions import HTTPException

from ..extensions import db
from . import services

# Dynamic routes: they answer requests, so a static copy cannot stand in for them.
DYNAMIC_PREFIXES = ("/search", "/hotline", "/login", "/logout", "/console", "/api/", "/open311", "/training/",
                    "/static/")
LIVE = "live"  # the status of a page left to the live site
BATCH = 20  # pages a worker renders per hand-out: fewer round trips, and still an even spread
LINK = re.compile(r"""\s(?:href|src)="([^"]*)\"""")
MARKER = ".portal-export"  # in the folder of an export: a later export may remove what it no longer writes


class ExportFolderError(Exception):
    """The folder given holds files of something other than an earlier export."""


@dataclass
class ExportResult:
    """What an export wrote: pages (files rendered by the app), seconds, and links that answered no page."""

    pages: int = 0
    seconds: float = 0.0
    broken: list = field(default_factory=list)  # (linking page, link, status)
    live: int = 0  # pages left to the live site: they answered, but not as a page to share
    removed: int = 0  # files of an earlier export into the folder that this one did not write

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


class PageWriter:
    """Renders pages through the app's test client and writes each where a static server finds it."""

    def __init__(self, app, dest, base_url, lang):
        self.dest, self.base_url = Path(dest), base_url
        self.client = app.test_client()
        self.urls = app.url_map.bind(urlsplit(base_url).netloc or "localhost")
        if lang:
            self.client.get(f"/?lang={lang}", base_url=base_url)  # the language stays in the client's session

    def write(self, path):
        """(path, status, the internal links of the page): the page at `path` written, when it answered 200
        as a page to share (status LIVE when it answered for this visitor only, or is a form)."""
        if self.takes_post(path):
            return path, LIVE, []
        resp = self.client.get(path, base_url=self.base_url)
        try:  # close() ends a streamed response's request context
            if resp.status_code != 200:
                return path, resp.status_code, []
            if not resp.cache_control.public:
                return path, LIVE, []
            target = self.dest / file_for(path)
            target.parent.mkdir(parents=True, exist_ok=True)
            html = resp.mimetype == "text/html"
            kept = []
            # a static server may be serving the folder: it finds the old file or the new one, whole
            partial = target.with_name(f".{target.name}.{os.getpid()}.part")
            with partial.open("wb") as out:
                # written as it comes: the ledger download of a county is hundreds of MB
                for chunk in resp.iter_encoded():
                    out.write(chunk)
                    if html:
                        kept.append(chunk)
            os.replace(partial, target)
        finally:
            resp.close()
        links = []
        if html:
            found = (internal_path(link, self.base_url) for link in LINK.findall(b"".join(kept).decode("utf-8")))
            links = [link for link in found if link is not None]
        return path, 200, links

    def takes_post(self, path):
        """Whether the route of `path` also answers POST: a form, which a static copy cannot stand in for."""
        try:
            self.urls.match(path, method="POST")
        except HTTPException:  # no such route, GET only, or a redirect to the canonical URL
            return False
        return True

    def write_all(self, paths):
        return [self.write(path) for path in paths]


_worker = None  # the PageWriter of an export worker process


def _start_worker(app, dest, base_url, lang):
    """In a forked worker: connections of its own (the parent's pooled ones are left to the parent)."""
    global _worker
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)
    _worker = PageWriter(app, dest, base_url, lang)


def _write_in_worker(paths):
    return _worker.write_all(paths)


def export_site(app, dest, base_url="http://localhost", lang=None, progress=None, jobs=1):
    """Write the public site under the folder `dest`; return an ExportResult.

    With `jobs` > 1 the pages are rendered by that many forked processes (each with its own
    database connections) while this one follows the links and hands out the pages in batches.
    """
    # Outside the caller's context: a request finds the app context the caller pushed (the CLI's)
    # and works in it, so every page would share one `g` (one form's CSRF token made every later
    # page private). Here each page gets an app context of its own, as a live request does.
    return contextvars.Context().run(_export, app, dest, base_url, lang, progress, jobs)


def claim_folder(dest):
    """Make `dest` an export folder: create it, or accept it when empty or written by an earlier export."""
    if dest.is_dir() and not (dest / MARKER).is_file() and any(dest.iterdir()):
        raise ExportFolderError(f"{dest} is not empty and holds no earlier export; "
                                "choose an empty folder or one written by export-site")
    dest.mkdir(parents=True, exist_ok=True)
    (dest / MARKER).write_text("written by `portal export-site`: files a later export does not write are removed\n",
                               encoding="utf-8")


def remove_unwritten(dest, written):
    """Delete the files under `dest` outside `written` (relative paths) and the folders left empty; their number."""
    removed = 0
    for folder, _dirs, files in os.walk(dest, topdown=False):
        here = Path(folder)
        for name in files:
            path = here / name
            if path.relative_to(dest) not in written:
                path.unlink()
                removed += 1
        if here != dest and not any(here.iterdir()):
            here.rmdir()
    return removed


def _export(app, dest, base_url, lang, progress, jobs):
    dest = Path(dest)
    claim_folder(dest)
    written = {Path(MARKER)}
    result = ExportResult()
    started = time.perf_counter()
    with app.app_context():
        queue = deque(seed_paths())
    linked_from = dict.fromkeys(queue)  # path → the page that linked to it (None for a seed)

    def record(path, status, links):
        if status == LIVE:
            result.live += 1
            return
        if status != 200:
            result.broken.append((linked_from[path], path, status))
            return
        result.pages += 1
        written.add(file_for(path))
        if progress and result.pages % 1000 == 0:
            progress(result.pages, len(queue))
        for found in links:
            if found not in linked_from:
                linked_from[found] = path
                queue.append(found)

    if jobs <= 1:
        writer = PageWriter(app, dest, base_url, lang)
        while queue:
            record(*writer.write(queue.popleft()))
    else:
        _export_in_workers(app, dest, base_url, lang, jobs, queue, record)
    static = Path(app.extensions["portal_static_root"])
    shutil.copytree(static, dest / "static", dirs_exist_ok=True)
    written.update(Path("static", p.relative_to(static)) for p in static.rglob("*") if p.is_file())
    result.removed = remove_unwritten(dest, written)
    result.seconds = time.perf_counter() - started
    return result


def _export_in_workers(app, dest, base_url, lang, jobs, queue, record):
    """Hand out the queue to `jobs` forked workers in batches, recording what each batch found, until done."""
    context = multiprocessing.get_context("fork")  # the workers start with this app, not a new one
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=_start_worker,
                             initargs=(app, dest, base_url, lang)) as pool:
        pending = set()
        while queue or pending:
            while queue and len(pending) < 4 * jobs:  # enough in flight that no worker waits for the next batch
                batch = [queue.popleft() for _ in range(min(BATCH, len(queue)))]
                pending.add(pool.submit(_write_in_worker, batch))
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                for answer in future.result():
                    record(*answer)
