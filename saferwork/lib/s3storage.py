"""Uploaded files in an S3-compatible bucket (``STORAGE_BUCKET``), keeping the promise of
``DayStampedStorage``: no stored file tells when it was written, to more than its day.

Only imported when a bucket is configured: the embedded default never loads boto3.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from storages.backends.s3 import S3Storage

from saferwork.lib.storage import midnight


class DayStampedS3Storage(S3Storage):  # type: ignore[misc]
    """An S3-compatible bucket, with the same promise as the local folder.

    An object's ``LastModified`` is set by the server to the second and cannot be chosen,
    so the day is kept in the object's own metadata (``x-amz-meta-day``) and is what
    ``get_modified_time`` answers; ``restamp`` copies each kept object onto itself, which
    gives every object restamped in one run the same ``LastModified`` (the run's), as
    ``restamp`` gives local files the same inode change time.

    Files are read back through Django (``open``), never handed out as links to the bucket:
    ``url`` refuses, so no template can leak a signed address by accident.
    """

    def _get_write_parameters(self, name: str, content: Any = None) -> dict[str, Any]:
        params: dict[str, Any] = super()._get_write_parameters(name, content)
        params["Metadata"] = {**params.get("Metadata", {}), "day": str(int(midnight(time.time())))}
        return params

    def get_modified_time(self, name: str) -> Any:
        obj = self.bucket.Object(self._normalize_name(name))
        day = obj.metadata.get("day")
        if day is None:
            return super().get_modified_time(name)
        return dt.datetime.fromtimestamp(int(day), tz=dt.UTC)

    def restamp(self, name: str) -> None:
        key = self._normalize_name(name)
        obj = self.bucket.Object(key)
        obj.copy_from(
            CopySource={"Bucket": self.bucket_name, "Key": key},
            Metadata=obj.metadata,
            MetadataDirective="REPLACE",
            ContentType=obj.content_type,
            ACL=self.default_acl or "private",
        )

    def url(self, name: str | None, parameters: Any = None, expire: Any = None, http_method: Any = None) -> str:
        raise NotImplementedError("Stored files are streamed through SaferWork's own views, never linked to.")
