"""Copy SaferWork's storage bucket to a folder and back, for deploy/backup.sh and deploy/restore.sh.

    python deploy/bucket_copy.py download FOLDER   # every object under STORAGE_PREFIX
    python deploy/bucket_copy.py upload FOLDER     # into an empty bucket (or prefix)
    python deploy/bucket_copy.py check-empty       # fails unless the bucket (or prefix) is empty

The bucket and its credentials come from the same variables as the application's:
STORAGE_BUCKET, STORAGE_ENDPOINT_URL, STORAGE_REGION, STORAGE_ACCESS_KEY_ID,
STORAGE_SECRET_ACCESS_KEY, STORAGE_PREFIX and STORAGE_ADDRESSING_STYLE (each also as
NAME_FILE, a file holding the value). Objects are written to FOLDER/objects/ under their
keys, and FOLDER/manifest.json keeps each key's metadata and content type: the stored
``day`` stamp (saferwork/lib/s3storage.py) must survive a restore. Report files are sealed
before they reach the bucket, so the copy holds ciphertext; keep the folder private anyway.
The aws CLI is not needed: this uses boto3 from SaferWork's own virtual environment.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path, PurePosixPath
from typing import Any

MANIFEST = "manifest.json"


def env(name: str, default: str = "") -> str:
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        return Path(file_name).read_text().strip()
    return os.environ.get(name, default)


def client() -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        endpoint_url=env("STORAGE_ENDPOINT_URL") or None,
        region_name=env("STORAGE_REGION") or None,
        aws_access_key_id=env("STORAGE_ACCESS_KEY_ID") or None,
        aws_secret_access_key=env("STORAGE_SECRET_ACCESS_KEY") or None,
        config=Config(s3={"addressing_style": env("STORAGE_ADDRESSING_STYLE", "path")}),
    )


def prefix() -> str:
    value = env("STORAGE_PREFIX").strip("/")
    return f"{value}/" if value else ""


def keys(s3: Any, bucket: str, under: str) -> list[str]:
    found = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=under):
        found.extend(item["Key"] for item in page.get("Contents", []))
    return found


def safe_relative(key: str) -> PurePosixPath:
    path = PurePosixPath(key)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise SystemExit(f"refusing an object key that leaves the folder: {key!r}")
    return path


def download(s3: Any, bucket: str, folder: Path) -> int:
    under = prefix()
    objects = folder / "objects"
    objects.mkdir(parents=True, exist_ok=False)
    manifest: dict[str, dict[str, Any]] = {}
    for key in keys(s3, bucket, under):
        relative = safe_relative(key[len(under) :])
        target = objects / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        head = s3.head_object(Bucket=bucket, Key=key)
        s3.download_file(bucket, key, str(target))
        manifest[str(relative)] = {
            "metadata": head.get("Metadata", {}),
            "content_type": head.get("ContentType", "binary/octet-stream"),
            "size": head["ContentLength"],
        }
        if target.stat().st_size != head["ContentLength"]:
            got, expected = target.stat().st_size, head["ContentLength"]
            raise SystemExit(f"{key}: downloaded {got} bytes, the bucket says {expected}")
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
    return len(manifest)


def check_empty(s3: Any, bucket: str) -> None:
    if keys(s3, bucket, prefix()):
        raise SystemExit(f"bucket {bucket!r} (prefix {prefix()!r}) is not empty: restore into an empty one")


def upload(s3: Any, bucket: str, folder: Path) -> int:
    under = prefix()
    check_empty(s3, bucket)
    manifest = json.loads((folder / MANIFEST).read_text())
    for relative, info in manifest.items():
        source = folder / "objects" / safe_relative(relative)
        if source.stat().st_size != info["size"]:
            raise SystemExit(f"{relative}: the backup holds {source.stat().st_size} bytes, expected {info['size']}")
        s3.upload_file(
            str(source),
            bucket,
            f"{under}{relative}",
            ExtraArgs={"Metadata": info["metadata"], "ContentType": info["content_type"], "ACL": "private"},
        )
    return len(manifest)


def main(argv: list[str]) -> int:
    wanted = {"check-empty": 1, "download": 2, "upload": 2}
    if not argv or wanted.get(argv[0]) != len(argv):
        print(__doc__, file=sys.stderr)
        return 2
    bucket = env("STORAGE_BUCKET")
    if not bucket:
        print("STORAGE_BUCKET is not set", file=sys.stderr)
        return 2
    if argv[0] == "check-empty":
        check_empty(client(), bucket)
        return 0
    action, folder = argv[0], Path(argv[1])
    count = (download if action == "download" else upload)(client(), bucket, folder)
    print(f"{action}: {count} objects, bucket {bucket}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
