"""Uploaded files: checked by content, images stripped of metadata, stored by content hash.

Every plugin that takes files (disclosure attachments, complaint photos, training
materials) stores them here, so the checks are the same everywhere:

- the type is decided by the bytes (filetype), never by the name: a renamed executable
  is refused; only JPEG, PNG and PDF are taken;
- images are decoded and re-encoded by Pillow, which drops EXIF (GPS included) and any
  other metadata; a file Pillow cannot decode is refused;
- PDFs must look like PDFs from start to end and carry no JavaScript, launch actions or
  embedded files;
- files are stored under their SHA-256 in instance/uploads/private. Publishing a file
  (`publish_file`) places it in instance/uploads/public, the only folder the public site
  serves (/files/<key>/<name>) and the static export copies.
"""

import hashlib
import io
import os
import re
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

import filetype
from flask import current_app, send_file
from flask_babel import gettext as _

TYPES = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}
KIND_TYPES = {"image": ("image/jpeg", "image/png"), "pdf": ("application/pdf",)}
KEY = re.compile(r"^[0-9a-f]{64}\.(jpg|png|pdf)$")
MAX_PIXELS = 40_000_000
_PDF_ACTIVE = (b"/JavaScript", b"/JS ", b"/JS(", b"/JS<", b"/Launch", b"/EmbeddedFile", b"/RichMedia")


class UploadError(ValueError):
    """A refused file; the message is for the user."""


@dataclass(frozen=True)
class StoredFile:
    """A stored upload as plugins keep it in their rows and publication payloads."""

    key: str  # <sha256>.<ext>
    name: str  # the name shown to people (the uploader's name, cleaned)
    mime: str
    size: int

    def as_dict(self):
        return asdict(self)

    @classmethod
    def from_dict(cls, data):
        return cls(**{k: data[k] for k in ("key", "name", "mime", "size")})

    @property
    def is_image(self):
        return self.mime.startswith("image/")


def _root():
    folder = current_app.config.get("UPLOAD_FOLDER") or os.path.join(current_app.instance_path, "uploads")
    return Path(folder)


def _path(area, key):
    if not KEY.match(key or ""):
        raise UploadError(_("Unknown file."))
    return _root() / area / key[:2] / key


def clean_name(filename, ext):
    """A display name without folders or control characters, ending in the real extension."""
    name = os.path.basename((filename or "").replace("\\", "/"))
    name = re.sub(r"[\x00-\x1f\x7f/]", "", name).strip(" .") or "file"
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return f"{stem[:100]}.{ext}"


def check_content(data, kinds=("image", "pdf")):
    """The MIME type of `data` if it is an allowed kind of file; raise UploadError otherwise."""
    allowed = [t for k in kinds for t in KIND_TYPES[k]]
    guess = filetype.guess(data)
    mime = guess.mime if guess else None
    if mime not in allowed:
        if set(kinds) == {"image"}:
            raise UploadError(_("Only JPEG or PNG photos are accepted (judged by the file's content, not its name)."))
        if set(kinds) == {"pdf"}:
            raise UploadError(_("Only PDF documents are accepted (judged by the file's content, not its name)."))
        raise UploadError(_("Only JPEG or PNG photos and PDF documents are accepted "
                            "(judged by the file's content, not its name)."))
    if mime == "application/pdf":
        _check_pdf(data)
    return mime


def _check_pdf(data):
    if b"%%EOF" not in data[-2048:]:
        raise UploadError(_("This PDF is incomplete (it does not end like a PDF)."))
    if any(marker in data for marker in _PDF_ACTIVE):
        raise UploadError(_("This PDF contains scripts, launch actions or embedded files; save it again as a plain PDF."))


def strip_image(data, mime):
    """Re-encode an image without EXIF or other metadata, turned upright first."""
    from PIL import Image, ImageOps

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()
        with Image.open(io.BytesIO(data)) as img:
            img = ImageOps.exif_transpose(img)
            out = io.BytesIO()
            if mime == "image/jpeg":
                img.convert("RGB").save(out, format="JPEG", quality=88, optimize=True)
            else:
                img.save(out, format="PNG", optimize=True)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise UploadError(_("This image cannot be read (damaged, or too large in pixels).")) from None
    return out.getvalue()


def save_upload(data, filename, kinds=("image", "pdf"), max_bytes=None):
    """Check and store uploaded bytes (or a werkzeug FileStorage); return a StoredFile."""
    max_bytes = max_bytes or current_app.config.get("UPLOAD_MAX_BYTES", 5 * 1024 * 1024)
    if hasattr(data, "stream"):  # FileStorage
        filename = filename or data.filename
        data = data.stream.read(max_bytes + 1)
    if not data:
        raise UploadError(_("The file is empty."))
    if len(data) > max_bytes:
        raise UploadError(_("The file is larger than %(mb).0f MB.", mb=max_bytes / 1024 / 1024))
    mime = check_content(data, kinds)
    if mime.startswith("image/"):
        data = strip_image(data, mime)
    ext = TYPES[mime]
    key = f"{hashlib.sha256(data).hexdigest()}.{ext}"
    path = _path("private", key)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + f".{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)
    return StoredFile(key=key, name=clean_name(filename, ext), mime=mime, size=len(data))


def read_upload(key):
    """The bytes of a stored (private) file."""
    return _path("private", key).read_bytes()


def publish_file(key):
    """Make a stored file servable by the public site (idempotent)."""
    src, dst = _path("private", key), _path("public", key)
    if not dst.exists():
        dst.parent.mkdir(parents=True, exist_ok=True)
        tmp = dst.with_suffix(dst.suffix + f".{os.getpid()}.tmp")
        shutil.copyfile(src, tmp)
        os.replace(tmp, dst)


def send_upload(stored, public=False, as_attachment=False):
    """A response with the file (console views pass public=False after their own check)."""
    path = _path("public" if public else "private", stored.key)
    if not path.exists():
        from flask import abort

        abort(404)
    return send_file(path, mimetype=stored.mime, download_name=stored.name, as_attachment=as_attachment,
                     max_age=31536000 if public else 0)


def public_folder():
    """The folder of published files (the static export copies it)."""
    return _root() / "public"
