"""Uploads are judged by content, images lose their metadata, only published files are public."""

import io
import zipfile

import pytest
from PIL import Image

from portal import uploads
from portal.uploads import UploadError, publish_file, save_upload

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _jpeg_with_gps():
    img = Image.new("RGB", (40, 30), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {2: (30.0, 15.0, 0.0), 1: "N"}  # GPSInfo: latitude
    out = io.BytesIO()
    img.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_a_photo_is_stored_without_its_exif(ctx):
    original = _jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif()  # the test photo does carry EXIF
    stored = save_upload(original, "IMG_0001.JPG", kinds=("image",))
    assert stored.mime == "image/jpeg" and stored.name == "IMG_0001.jpg"
    kept = uploads.read_upload(stored.key)
    assert not Image.open(io.BytesIO(kept)).getexif()
    assert b"PhoneMaker" not in kept


def test_an_executable_named_pdf_is_refused(ctx):
    with pytest.raises(UploadError, match="judged by the file's content"):
        save_upload(EXE, "voucher.pdf")


def test_a_plain_pdf_is_taken_and_a_pdf_with_javascript_is_not(ctx):
    assert save_upload(PDF, "合同.pdf").mime == "application/pdf"
    scripted = PDF.replace(b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >>")
    with pytest.raises(UploadError, match="scripts"):
        save_upload(scripted, "合同.pdf")
    with pytest.raises(UploadError, match="incomplete"):
        save_upload(PDF[:40], "cut.pdf")


def test_a_zip_or_an_image_where_only_pdf_is_allowed_is_refused(ctx):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("a.txt", "x")
    with pytest.raises(UploadError):
        save_upload(buf.getvalue(), "a.zip")
    with pytest.raises(UploadError, match="Only PDF"):
        save_upload(_jpeg_with_gps(), "photo.jpg", kinds=("pdf",))


def test_size_limit_and_empty_file(ctx):
    with pytest.raises(UploadError, match="larger than"):
        save_upload(PDF + b" " * 2048, "big.pdf", max_bytes=1024)
    with pytest.raises(UploadError, match="empty"):
        save_upload(b"", "nothing.pdf")


def test_a_broken_image_is_refused(ctx):
    with pytest.raises(UploadError, match="cannot be read"):
        save_upload(_jpeg_with_gps()[:200], "broken.jpg")


def test_only_published_files_are_served_publicly(app, client):
    with app.test_request_context():
        stored = save_upload(PDF, "公示.pdf")
    url = f"/files/{stored.key}/{stored.name}"
    assert client.get(url).status_code == 404
    with app.test_request_context():
        publish_file(stored.key)
    resp = client.get(url)
    assert resp.status_code == 200 and resp.data == PDF
    assert resp.mimetype == "application/pdf"
    assert client.get("/files/../../secret_key/x.pdf").status_code == 404
    assert client.get("/files/notakey.pdf/x.pdf").status_code == 404
