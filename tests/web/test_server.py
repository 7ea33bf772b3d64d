"""The gallery server's safety rules and its cache, over plain HTTP (no browser needed)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from tests.web.helpers import REPO, start_server
from tests.web.helpers import http_get as get

from plvm_photos.web.guard import ServeRefused, check_bind, is_loopback
from plvm_photos.web.thumbs import thumbnail_path


@pytest.mark.parametrize(
    "path",
    [
        "/../../../../etc/passwd",
        "/thumb/../../../../etc/passwd",
        "/thumb/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "/thumb/..%2f..%2flibrary.db",
        "//etc/passwd",
        "/library.db",
        "/references/",
        "/thumbnails/small",
        "/thumb/1.jpg/../../../etc/passwd",
        "/thumb/-1.jpg",
        "/thumb/1.png",
        "/photo/1e3",
        "/photo/99999999",
        "/face/99999.jpg",
        "/etc/passwd",
        "/static/../library.db",
    ],
)
def test_anything_but_a_route_with_an_id_is_404(gallery_server, path):
    status, body, _ = get(gallery_server, path)
    assert status == 404, (path, status)
    assert b"root:" not in body and b"SQLite format" not in body


def test_images_are_served_by_id_and_thumbnails_made_once(gallery_server, gallery_library):
    from sqlalchemy import select

    from plvm_photos.db.models import Photo

    with gallery_library.session() as s:
        photo = s.scalars(select(Photo).where(Photo.error.is_(None)).order_by(Photo.id)).first()
    status, body, headers = get(gallery_server, f"/thumb/{photo.id}.jpg")
    assert status == 200 and headers["Content-Type"] == "image/jpeg" and body[:3] == b"\xff\xd8\xff"
    cached = thumbnail_path(gallery_library.root, photo.sha256, "small")
    assert cached.read_bytes() == body
    before = cached.stat().st_mtime_ns
    assert get(gallery_server, f"/thumb/{photo.id}.jpg")[1] == body
    assert cached.stat().st_mtime_ns == before  # served from the cache, not made again
    from PIL import Image

    with Image.open(cached) as im:
        assert max(im.size) <= 360


def test_a_request_for_another_host_is_refused(gallery_server):
    status, _, _ = get(gallery_server, "/", {"Host": "attacker.example:80"})
    assert status == 403


def test_token_is_checked_on_every_request(gallery_library):
    token = "s3cret-token-for-tests"
    server = start_server(gallery_library, token=token)
    try:
        for path in ("/", "/person/1", "/thumb/1.jpg", "/ask?q=where+is+%3Cbarack_obama%3E", "/nope"):
            assert get(server, path)[0] == 403, path
            assert get(server, path + ("&" if "?" in path else "?") + "token=wrong-token-xyz")[0] == 403, path
            assert get(server, path, {"Authorization": "Bearer wrong-token-xyz"})[0] == 403, path
            assert get(server, path, {"Cookie": "plvm_token=wrong-token-xyz"})[0] == 403, path
        status, body, headers = get(server, f"/?token={token}")  # kept in a cookie, taken out of the address
        assert status == 303 and headers["Location"] == "/"
        assert headers["Set-Cookie"].startswith(f"plvm_token={token};") and "HttpOnly" in headers["Set-Cookie"]
        status, body, _ = get(server, "/", {"Cookie": f"plvm_token={token}"})
        assert status == 200 and b"People" in body
        assert get(server, "/person/1", {"Cookie": f"plvm_token={token}"})[0] == 200
        assert get(server, "/thumb/1.jpg", {"Authorization": f"Bearer {token}"})[0] == 200
        # With a token the right token still does not open paths outside the route table.
        assert get(server, f"/../library.db?token={token}")[0] == 404
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.10", "8.8.8.8"])
def test_non_loopback_bind_without_token_is_refused(host):
    with pytest.raises(ServeRefused, match="--token"):
        check_bind(host, None)
    check_bind(host, "a-long-enough-token")  # with a token it is allowed


def test_loopback_names():
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1") and is_loopback("127.0.0.2")
    assert not is_loopback("0.0.0.0") and not is_loopback("10.0.0.1")
    with pytest.raises(ServeRefused, match="at least"):
        check_bind("127.0.0.1", "short")
    with pytest.raises(ServeRefused, match="only use"):
        check_bind("0.0.0.0", "has a space; and semicolon")


def test_cli_refuses_a_non_loopback_bind_without_token(tmp_path):
    from plvm_photos.library import Library

    Library(tmp_path / "lib").close()
    env = {**os.environ, "PLVM_SERVE_TOKEN": ""}
    env.pop("PLVM_SERVE_TOKEN")
    proc = subprocess.run(
        [sys.executable, "-c", "from plvm_photos.cli.app import main; main()", "-L", str(tmp_path / "lib"), "serve", "--host", "0.0.0.0", "--port", "0"],
        capture_output=True, text=True, timeout=60, cwd=REPO, env=env, check=False,
    )
    assert proc.returncode == 2, proc
    assert "refusing to serve on 0.0.0.0" in proc.stderr and "--token" in proc.stderr
    assert "serving" not in proc.stdout


def test_a_ranking_asked_in_the_gallery_says_no_photo_count(gallery_server):
    """"who is in the most photos?" showed "0 photos" under the ranking; a list still counts them."""
    status, body, _ = get(gallery_server, "/ask?q=who+is+in+the+most+photos%3F")
    assert status == 200 and b"is in the most photos" in body and b"<p class=muted>0 photos</p>" not in body
    status, body, _ = get(gallery_server, "/ask?q=photos+of+%3Cbarack_obama%3E")
    assert status == 200 and b" photos</p>" in body
