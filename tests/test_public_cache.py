"""Conditional GET on the public pages: ETags from the ledger head, language, date and public revision."""

from unittest import mock

import pytest

from portal.extensions import db
from portal.orgs import set_setting
from tests.helpers import TOWN_A, VILLAGE_A1, unit
from tests.test_public import publish

PAGES = ["/", f"/o/{TOWN_A}", "/feed.atom", "/pages/about", "/api/v1/orgs", f"/o/{VILLAGE_A1}/finance",
         f"/o/{VILLAGE_A1}/disclosure"]


@pytest.mark.parametrize("path", PAGES)
def test_a_repeat_with_the_etag_is_answered_304(client, tree, path):
    first = client.get(path)
    assert first.status_code == 200
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "public, max-age=60, must-revalidate"
    assert "Cookie" in first.headers["Vary"]
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag
    assert again.headers["Cache-Control"] == "public, max-age=60, must-revalidate"


def test_a_publication_changes_the_etag(app, client, tree):
    etag = client.get("/").headers["ETag"]
    publish(app, VILLAGE_A1, "村道修路工程公示")
    resp = client.get("/", headers={"If-None-Match": etag})
    assert resp.status_code == 200 and "村道修路工程公示" in resp.get_data(as_text=True)
    assert resp.headers["ETag"] != etag
    assert client.get("/", headers={"If-None-Match": resp.headers["ETag"]}).status_code == 304


def test_a_setting_or_a_unit_changes_the_etag_without_a_publication(app, client, tree):
    path = f"/o/{VILLAGE_A1}"
    etag = client.get(path).headers["ETag"]
    with app.app_context():
        set_setting(unit(VILLAGE_A1), "org.report_hotline", "0534-1234567")
        db.session.commit()
    resp = client.get(path, headers={"If-None-Match": etag})
    assert resp.status_code == 200 and "0534-1234567" in resp.get_data(as_text=True)
    etag = resp.headers["ETag"]
    with app.app_context():
        unit(VILLAGE_A1).name = "导子新村"
        db.session.commit()
    resp = client.get(path, headers={"If-None-Match": etag})
    assert resp.status_code == 200 and "导子新村" in resp.get_data(as_text=True)


def test_no_304_across_languages(client, tree):
    zh = client.get("/?lang=zh_Hans_CN").headers["ETag"]
    resp = client.get("/?lang=en", headers={"If-None-Match": zh})
    assert resp.status_code == 200 and '<html lang="en">' in resp.get_data(as_text=True)
    assert resp.headers["ETag"] != zh
    # the language chosen lives in the session: the same URL, another language, another ETag
    assert client.get("/", headers={"If-None-Match": zh}).status_code == 200


def test_the_etag_changes_with_the_date(client, tree):
    etag = client.get("/").headers["ETag"]
    import datetime as dt

    with mock.patch("portal.public.caching.local_today", return_value=dt.date(2099, 1, 1)):
        resp = client.get("/", headers={"If-None-Match": etag})
    assert resp.status_code == 200 and resp.headers["ETag"] != etag


def test_logged_in_staff_get_no_etag_and_no_shared_cache(app, client, tree, login_as):
    etag = client.get("/").headers["ETag"]
    login_as("county_admin", TOWN_A)
    resp = client.get("/", headers={"If-None-Match": etag})
    assert resp.status_code == 200
    assert "ETag" not in resp.headers
    assert resp.headers["Cache-Control"] == "private, no-cache"
    assert client.get(f"/o/{VILLAGE_A1}/finance").headers["Cache-Control"] == "private, no-cache"


def test_errors_and_forms_get_no_etag(client, tree):
    resp = client.get("/o/nope")
    assert resp.status_code == 404 and "ETag" not in resp.headers
    assert "ETag" not in client.get("/hotline/").headers


def test_an_anonymous_page_is_rendered_once_per_etag(app, client, tree):
    first = client.get("/")
    with mock.patch("portal.public.views.services.latest_publications", side_effect=AssertionError("rendered")):
        again = client.get("/")
        assert again.status_code == 200 and again.data == first.data
        assert again.headers["ETag"] == first.headers["ETag"]
        assert again.headers["Content-Type"] == first.headers["Content-Type"]
    publish(app, VILLAGE_A1, "村道修路工程公示")
    assert "村道修路工程公示" in client.get("/").get_data(as_text=True)  # a new ETag: rendered again


def test_downloads_keep_their_headers_from_the_page_cache(client, tree):
    first = client.get(f"/o/{VILLAGE_A1}/feed.atom")
    again = client.get(f"/o/{VILLAGE_A1}/feed.atom")
    assert again.data == first.data and again.mimetype == "application/atom+xml"


def test_the_page_cache_can_be_off(app_factory):
    app = app_factory(PUBLIC_PAGE_CACHE_SIZE=0)
    client = app.test_client()
    client.get("/")
    with mock.patch("portal.public.views.services.latest_publications", side_effect=RuntimeError("rendered")):
        with pytest.raises(RuntimeError):
            client.get("/")


def test_the_page_cache_keeps_the_newest_pages_only():
    from portal.public.caching import PageCache

    cache = PageCache(2)
    for key in ("a", "b", "c"):
        cache.put(key, key.encode(), [])
    assert cache.get("a") is None and cache.get("b")[0] == b"b" and cache.get("c")[0] == b"c"
    cache.put("big", b"x" * (PageCache.MAX_BYTES + 1), [])
    assert cache.get("big") is None


def test_a_release_changes_the_etag(app_factory, tmp_path):
    import shutil

    content = tmp_path / "content"
    shutil.copytree(app_factory().config["CONTENT_DIR"], content)
    before = app_factory(CONTENT_DIR=str(content)).test_client().get("/pages/about").headers["ETag"]
    (content / "about.en.md").write_text("# About\n\n新版本。\n", encoding="utf-8")  # the page the tests' locale reads
    after = app_factory(CONTENT_DIR=str(content)).test_client().get("/pages/about")
    assert "新版本" in after.get_data(as_text=True) and after.headers["ETag"] != before


def test_a_waiting_message_is_shown_not_a_cached_page(app, client, tree):
    etag = client.get("/").headers["ETag"]
    with client.session_transaction() as sess:
        sess["_flashes"] = [("success", "您已退出登录。")]
    resp = client.get("/", headers={"If-None-Match": etag})
    assert resp.status_code == 200 and "您已退出登录。" in resp.get_data(as_text=True)
    assert client.get("/", headers={"If-None-Match": etag}).status_code == 304  # shown once, then cached again


def test_a_page_with_a_visitors_form_token_is_never_shared(app_factory):
    """A public page that renders a CSRF-protected form is for that browser only."""
    from flask import Blueprint, render_template_string

    from portal.public.caching import cache_public
    from tests.helpers import build_tree

    bp = Blueprint("form_page", __name__)
    cache_public(bp)

    @bp.route("/a-form")
    def a_form():
        return render_template_string('<form method="post"><input name="csrf_token" value="{{ csrf_token() }}"></form>')

    app = app_factory(WTF_CSRF_ENABLED=True)
    app.register_blueprint(bp)
    with app.app_context():
        build_tree()
    first, second = app.test_client(), app.test_client()
    first.get("/a-form")  # the session now holds a token, so later renders leave the session alone
    page_a = first.get("/a-form")
    page_b = second.get("/a-form")
    assert page_a.headers["Cache-Control"] == "private, no-cache" and "ETag" not in page_a.headers
    assert page_a.data != page_b.data  # each visitor gets a form with their own token


def test_a_form_page_is_rendered_once_and_each_visitor_gets_their_own_token(app_factory, login_as):
    """The hotline form: kept once per site state with the token left out; every visitor's copy carries a
    token of their own, which their submission is checked against."""
    import re

    from plugins.hotline import public
    from tests.conftest import PASSWORD
    from tests.helpers import build_tree, make_user

    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        build_tree()
        app.extensions["portal"].set_enabled("hotline", unit(TOWN_A), True)
        db.session.commit()
        make_user("township_admin", TOWN_A, "dongfeng")
    path = f"/hotline/?village={VILLAGE_A1}"
    token = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|value="([^"]+)" name="csrf_token"|'
                       r'name="csrf_token"[^>]*value="([^"]+)"')

    def token_of(html):
        return next(t for t in token.search(html).groups() if t)

    first, second = app.test_client(), app.test_client()
    page_a = first.get(path).get_data(as_text=True)
    with mock.patch.object(public.services, "filing_choices", side_effect=AssertionError("rendered")):
        page_b = second.get(path).get_data(as_text=True)  # from the kept page
    assert token_of(page_a) != token_of(page_b)
    assert second.get(path).headers["Cache-Control"] == "private, no-cache"  # never stored by a proxy
    assert page_a.replace(token_of(page_a), "") == page_b.replace(token_of(page_b), "")
    for client, page in ((first, page_a), (second, page_b)):
        resp = client.post("/hotline/", data={"csrf_token": token_of(page), "village": VILLAGE_A1,
                                              "category": "complaint", "description": "路灯坏了"})
        assert resp.status_code == 303, resp.get_data(as_text=True)[:500]
    # another visitor's token is refused
    third = app.test_client()
    third.get(path)
    refused = third.post("/hotline/", data={"csrf_token": token_of(page_a), "village": VILLAGE_A1,
                                            "category": "complaint", "description": "路灯坏了"})
    assert refused.status_code == 400
    # a new village in the township is a new site state: the form is rendered again and lists it
    with app.app_context():
        from portal.orgs.services import create_unit

        create_unit("village", "新建村", "990101101299", unit(TOWN_A))
        db.session.commit()
    assert "新建村" in app.test_client().get(path).get_data(as_text=True)
    # staff get it rendered
    staff = app.test_client()
    staff.post("/login", data={"username": "dongfeng", "password": PASSWORD, "csrf_token": token_of(
        staff.get("/login").get_data(as_text=True))})
    with mock.patch.object(public.services, "filing_choices", side_effect=AssertionError("rendered")):
        with pytest.raises(AssertionError, match="rendered"):
            staff.get(path)


def test_a_browser_without_cookies_gets_the_form_kept_under_the_state_its_worker_read(app_factory):
    """A villager's first visit to a form (no cookie yet) finds the kept form under the site state this
    worker read within PUBLIC_STATE_TTL, as the kept pages are found; a browser with a cookie is checked
    against the state of the moment, and so is everyone once the time is up."""
    import time

    from sqlalchemy import text

    from plugins.hotline import public
    from tests.helpers import build_tree

    app = app_factory(WTF_CSRF_ENABLED=True, PUBLIC_STATE_TTL=30)
    with app.app_context():
        build_tree()
        app.extensions["portal"].set_enabled("hotline", unit(TOWN_A), True)
        db.session.commit()
    path = f"/hotline/?village={VILLAGE_A1}"
    returning = app.test_client()
    assert returning.get(path).status_code == 200  # rendered and kept; this browser now has a cookie
    with app.app_context(), db.engine.begin() as conn:  # as another worker would: no session commit here
        conn.execute(text("UPDATE public_revision SET n = n + 1 WHERE id = 1"))
    rendered = mock.patch.object(public.services, "filing_choices", side_effect=AssertionError("rendered"))
    with rendered:
        first_visit = app.test_client().get(path)
    assert first_visit.status_code == 200 and 'name="csrf_token"' in first_visit.get_data(as_text=True)
    with rendered, pytest.raises(AssertionError, match="rendered"):
        returning.get(path)
    with rendered, pytest.raises(AssertionError, match="rendered"), \
            mock.patch("portal.public.caching.time.monotonic", return_value=time.monotonic() + 31):
        app.test_client().get(path)
    # a first visit in the other language gets that language's form, and the default one stays as it was
    chinese = app.test_client(use_cookies=False).get(path + "&lang=zh_Hans_CN").get_data(as_text=True)
    english = app.test_client(use_cookies=False).get(path).get_data(as_text=True)
    assert "提交" in chinese and "提交" not in english and "Send" in english


def test_a_browser_without_cookies_gets_a_kept_form_before_flask_with_a_token_of_its_own(app_factory):
    """A villager's first visit to a kept form is answered before any view or before_request function
    runs: their own token and session cookie, the headers of a form, and the token files a case."""
    import re

    from tests.helpers import build_tree

    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        build_tree()
        app.extensions["portal"].set_enabled("hotline", unit(TOWN_A), True)
        db.session.commit()
    path = f"/hotline/?village={VILLAGE_A1}"
    first = app.test_client().get(path)  # rendered and kept
    visitor = app.test_client()
    with mock.patch.object(app, "full_dispatch_request", side_effect=AssertionError("entered Flask")):
        page = visitor.get(path)
    assert page.status_code == 200 and "session=" in page.headers["Set-Cookie"]
    for header in ("Cache-Control", "Content-Security-Policy", "X-Frame-Options", "Vary", "Content-Type"):
        assert page.headers[header] == first.headers[header]
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    assert token not in first.get_data(as_text=True)
    filed = visitor.post("/hotline/", data={"csrf_token": token, "village": VILLAGE_A1, "category": "complaint",
                                            "description": "路灯坏了"})
    assert filed.status_code == 303 and "/hotline/track?code=" in filed.headers["Location"]


def test_a_browser_without_cookies_is_answered_from_the_store_before_flask(app, tree):
    """A villager's phone with no cookies gets the stored page, headers and all, without a render."""
    browser = app.test_client(use_cookies=False)
    first = browser.get(f"/o/{VILLAGE_A1}")
    assert first.status_code == 200 and "Set-Cookie" not in first.headers
    with mock.patch.object(app, "full_dispatch_request", side_effect=AssertionError("entered Flask")):
        again = browser.get(f"/o/{VILLAGE_A1}")
        assert again.data == first.data
        for header in ("ETag", "Cache-Control", "Content-Security-Policy", "Vary", "Content-Type"):
            assert again.headers[header] == first.headers[header]
        not_modified = browser.get(f"/o/{VILLAGE_A1}", headers={"If-None-Match": first.headers["ETag"]})
        assert not_modified.status_code == 304 and not_modified.data == b""
        assert not_modified.headers["ETag"] == first.headers["ETag"]
        assert "Content-Security-Policy" in not_modified.headers
    publish(app, VILLAGE_A1, "村道修路工程公示")
    assert "村道修路工程公示" in browser.get(f"/o/{VILLAGE_A1}").get_data(as_text=True)


def test_an_answer_that_sets_a_cookie_is_never_stored(app, tree):
    """?lang=en puts the language in this browser's session: that answer is for this browser only."""
    browser = app.test_client(use_cookies=False)
    english = browser.get("/?lang=en")
    assert "Set-Cookie" in english.headers
    with mock.patch("portal.public.views.services.latest_publications", side_effect=RuntimeError("rendered")):
        with pytest.raises(RuntimeError):
            browser.get("/?lang=en")


def test_a_worker_trusts_the_state_it_read_for_a_second(app_factory):
    """Another worker's publication reaches a cookie-less browser within PUBLIC_STATE_TTL, not at once;
    a commit in this worker is seen at once."""
    import time

    from sqlalchemy import text

    from tests.helpers import build_tree

    app = app_factory(PUBLIC_STATE_TTL=30)
    with app.app_context():
        build_tree()
    browser = app.test_client(use_cookies=False)
    etag = browser.get(f"/o/{VILLAGE_A1}").headers["ETag"]
    with app.app_context(), db.engine.begin() as conn:  # as another process would: no session commit here
        conn.execute(text("UPDATE public_revision SET n = n + 1 WHERE id = 1"))
    assert browser.get(f"/o/{VILLAGE_A1}").headers["ETag"] == etag
    later = time.monotonic() + 31
    with mock.patch("portal.public.caching.time.monotonic", return_value=later):
        assert browser.get(f"/o/{VILLAGE_A1}").headers["ETag"] != etag
    publish(app, VILLAGE_A1, "村道修路工程公示")
    with mock.patch("portal.public.caching.time.monotonic", return_value=later):
        assert "村道修路工程公示" in browser.get(f"/o/{VILLAGE_A1}").get_data(as_text=True)
