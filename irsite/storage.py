"""Where uploaded files live: the storage backend chosen from the environment.

``MEDIA_STORAGE=local`` (default): a folder, ``MEDIA_ROOT``. ``MEDIA_STORAGE=s3``: a private
S3-compatible bucket through django-storages (docs/deployment.md, "Attachments"). Either way
nothing is served from the storage directly; `releases.public.views.attachment_file` streams a file
once its release is public.
"""

import logging

import environ
from django.core.exceptions import ImproperlyConfigured
from django.db.models.fields.files import FieldFile


def media_storage(env: environ.Env) -> dict:
    """The ``STORAGES["default"]`` entry for the environment's ``MEDIA_STORAGE``.

    Raises `ImproperlyConfigured` for an unknown kind or an s3 storage without ``S3_BUCKET``.
    """
    kind = env.str("MEDIA_STORAGE", default="local")
    if kind == "local":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if kind != "s3":
        raise ImproperlyConfigured(f"MEDIA_STORAGE={kind!r}: use 'local' or 's3'.")
    from botocore.config import Config  # boto3's, installed with django-storages[s3]

    bucket = env.str("S3_BUCKET", default="")
    if not bucket:
        raise ImproperlyConfigured("MEDIA_STORAGE=s3 needs S3_BUCKET.")
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "location": env.str("S3_PREFIX", default=""),
            "endpoint_url": env.str("S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("S3_REGION", default="") or None,
            "access_key": env.str("S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("S3_SECRET_ACCESS_KEY", default="") or None,
            # Objects are private; irsite never hands out their URLs.
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
            # An unreachable storage fails a request within seconds (a 503: irsite.http.files)
            # instead of botocore's default 60 s per attempt, five attempts.
            "client_config": Config(
                connect_timeout=env.float("S3_CONNECT_TIMEOUT", default=2.0),
                read_timeout=env.float("S3_READ_TIMEOUT", default=20.0),
                retries={"mode": "standard", "max_attempts": 2},
            ),
        },
    }


def is_missing(error: BaseException) -> bool:
    """Whether a storage error says the file is not there (local: FileNotFoundError; S3: a
    404 / NoSuchKey from botocore), as opposed to the storage being unreachable."""
    if isinstance(error, FileNotFoundError):
        return True
    response = getattr(error, "response", None)
    if isinstance(response, dict):
        code = str(response.get("Error", {}).get("Code", ""))
        return code in {"404", "NoSuchKey", "NotFound"}
    return False


def stored_bytes(file: FieldFile, logger: logging.Logger, what: str) -> bytes | None:
    """The bytes of a stored ``file`` that a rendering embeds (a PDF's logo, its body images);
    None when the storage says it is not there, logged as an error with ``what`` it was: one
    lost file must not cost a release its PDF. Any other storage error (a disk failing, an
    object storage unreachable) propagates: the rendering fails and is made again later, with
    the file, rather than stored for good without it."""
    try:
        with file.open("rb") as opened:
            return opened.read()
    except Exception as error:
        if not is_missing(error):
            raise
        logger.error("%s %s is missing from storage (%s): left out", what, file.name, error)
        return None
