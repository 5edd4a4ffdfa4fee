"""`portal export-site DIR`: the public site as static files whose links all resolve.

Loading and exporting the demo county takes a while, so one test checks the whole export.
"""

import functools
import http.server
import re
import threading
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from portal.cli import cli
from portal.extensions import db
from portal.ledger import Publication
from portal.public.export import DYNAMIC_PREFIXES, LIVE, MARKER, PageWriter, file_for, internal_path

LINK = re.compile(r"""\s(?:href|src)="([^"]*)\"""")


@pytest.fixture
def exported(app_factory, tmp_path):
    """The demo county exported to tmp_path/site; (app, folder, command output). CSRF is on, as
    in production: a form page puts a token in its request's `g`."""
    from portal.demo import load_demo

    app = app_factory(WTF_CSRF_ENABLED=True)

    with app.app_context():
        load_demo(seed=2026)
    dest = tmp_path / "site"
    result = app.test_cli_runner().invoke(cli, ["export-site", str(dest), "--jobs", "2"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return app, dest, result.output


def site_files(folder):
    """{relative path: bytes} of an export."""
    return {str(path.relative_to(folder)): path.read_bytes() for path in folder.rglob("*") if path.is_file()}


def test_file_layout():
    assert file_for("/") == Path("index.html")
    assert file_for("/o/371402101201") == Path("o/371402101201/index.html")
    assert file_for("/o/371402101201/finance/2026-10.csv") == Path("o/371402101201/finance/2026-10.csv")
    assert file_for("/feed.atom") == Path("feed.atom")
    assert internal_path("/o/1?page=2", "http://localhost") is None
    assert internal_path("http://localhost/p/3", "http://localhost") == "/p/3"
    assert internal_path("/hotline/", "http://localhost") is None
    assert internal_path("https://example.org/", "http://localhost") is None


def test_the_demo_county_is_exported_with_every_internal_link_resolving(exported, tmp_path):
    app, dest, output = exported
    assert re.search(r"exported \d+ pages in [\d.]+ s \(\d+ pages/s\)", output)
    with app.app_context():
        pub_ids = set(db.session.scalars(db.select(Publication.pub_id)))
        finance = db.session.scalars(db.select(Publication).where(Publication.plugin == "disclosure")).first()
    for pub_id in pub_ids:
        assert (dest / f"p/{pub_id}/index.html").is_file() and (dest / f"p/{pub_id}/history/index.html").is_file()
    for name in ("index.html", "feed.atom", "ledger.jsonl", "publications.csv", "pages/about/index.html"):
        assert (dest / name).is_file(), name
    assert (dest / f"o/{finance.org_code}/finance/index.html").is_file()
    assert list((dest / f"o/{finance.org_code}/finance").glob("*/index.html"))  # month pages
    assert list((dest / f"o/{finance.org_code}/finance").glob("*.csv"))
    checked, live = 0, {}
    for page in dest.rglob("*.html"):
        for link in LINK.findall(page.read_text(encoding="utf-8")):
            parts = urlsplit(link.replace("&amp;", "&"))
            if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith(
                    tuple(p for p in DYNAMIC_PREFIXES if p != "/static/")):
                continue  # another site, a fragment or ?query on this page, or a dynamic route
            if not (dest / file_for(parts.path)).is_file():
                live.setdefault(parts.path, page.relative_to(dest))
                continue
            checked += 1
    assert checked > 1000
    # what is not exported is a page for one visitor (a form with its CSRF token), left to the live site
    assert any(path.startswith("/disclosure/object/") for path in live)
    client = app.test_client()
    for path, page in live.items():
        resp = client.get(path)
        assert resp.status_code == 200 and not resp.cache_control.public, f"{page} links to {path}, not exported"
    assert not any(b'name="csrf_token"' in p.read_bytes() for p in dest.rglob("*.html"))
    # and a plain static server serves it from the folder's root
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(dest))
    handler.log_message = lambda *a: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_port}"
        home = urllib.request.urlopen(base + "/").read().decode("utf-8")
        org = re.search(r'href="(/o/\d{12})"', home).group(1)
        with urllib.request.urlopen(base + org) as resp:  # redirected to /o/<code>/
            assert resp.status == 200 and "<h1" in resp.read().decode("utf-8")
        css = re.search(r'href="(/static/css/[^"]+)"', home).group(1)
        assert urllib.request.urlopen(base + css).status == 200
    finally:
        server.shutdown()
        server.server_close()
    # one process writes the same site as the two workers did, into the same folder: what an earlier
    # export wrote and this one does not (an old form page, a file half written) is removed
    two = site_files(dest)
    for stale in ("disclosure/object/1/index.html", "o/.index.html.77.part"):
        (dest / stale).parent.mkdir(parents=True, exist_ok=True)
        (dest / stale).write_text("<html>stale</html>")
    result = app.test_cli_runner().invoke(cli, ["export-site", str(dest), "--jobs", "1"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "removed 2 file(s) of an earlier export" in result.output
    one = site_files(dest)
    assert sorted(one) == sorted(two) and MARKER in one
    assert [name for name in one if one[name] != two[name]] == []
    assert not (dest / "disclosure").exists()


def test_a_form_is_left_to_the_live_site_without_being_rendered(app, tmp_path, monkeypatch):
    """An objection or 点题 form is private to its visitor; the export knows it from its route taking
    POST, so it does not render the page (and make a CSRF token) only to learn that."""
    writer = PageWriter(app, tmp_path, "http://localhost", None)
    rendered = []
    monkeypatch.setattr(writer.client, "get", lambda path, **_kw: rendered.append(path))
    for form in ("/disclosure/object/1", "/o/990101101201/disclosure/ask"):
        assert writer.write(form) == (form, LIVE, [])
    assert rendered == []
    assert not writer.takes_post("/p/1") and not writer.takes_post("/o/990101101201") \
        and not writer.takes_post("/nowhere")


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_page_that_fails_is_reported(app, tmp_path, jobs):
    from unittest import mock

    with mock.patch("portal.public.export.seed_paths", return_value=["/", "/o/000000000000"]):
        result = app.test_cli_runner().invoke(cli, ["export-site", str(tmp_path / "x"), "--jobs", jobs])
    assert result.exit_code == 1 and "/o/000000000000 answered 404" in result.output


def test_an_export_into_a_folder_of_other_files_is_refused_and_deletes_nothing(app, tmp_path):
    dest = tmp_path / "www"
    dest.mkdir()
    (dest / "notes.txt").write_text("not an export")
    result = app.test_cli_runner().invoke(cli, ["export-site", str(dest), "--jobs", "1"])
    assert result.exit_code == 1 and "is not empty and holds no earlier export" in result.output
    assert [p.name for p in dest.iterdir()] == ["notes.txt"]
