#!/usr/bin/env bash
# Back up SaferWork: the PostgreSQL database (pg_dump -Fc) and the uploaded files (the
# storage bucket when STORAGE_BUCKET is set, otherwise the local media folder).
#
#   deploy/backup.sh /var/backups/saferwork      # writes /var/backups/saferwork/saferwork-<UTC time>/
#
# Reads the application's own variables (each also as NAME_FILE): DATABASE_URL,
# STORAGE_BUCKET, STORAGE_ENDPOINT_URL, STORAGE_REGION, STORAGE_ACCESS_KEY_ID,
# STORAGE_SECRET_ACCESS_KEY, STORAGE_PREFIX, STORAGE_ADDRESSING_STYLE, SAFERWORK_VAR_DIR.
# Run it as the service user with the service's environment file loaded, for example
#   set -a; . /etc/saferwork/saferwork.env; set +a; deploy/backup.sh /var/backups/saferwork
# The database is dumped first and the files copied after it, so every file the dump
# refers to is in the copy (a file uploaded in between is an unreferenced extra).
# Needs pg_dump (Debian: postgresql-client) of the server's major version or newer.
set -euo pipefail

usage() { echo "usage: $0 BACKUP_PARENT_FOLDER" >&2; exit 2; }
[ $# -eq 1 ] || usage
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
python="${SAFERWORK_PYTHON:-$root/.venv/bin/python}"

value() {  # value NAME: $NAME, or the contents of the file named by $NAME_FILE
  local file_var="${1}_FILE"
  if [ -n "${!file_var:-}" ]; then tr -d '\n' < "${!file_var}"; else printf '%s' "${!1:-}"; fi
}

database_url="$(value DATABASE_URL)"
case "$database_url" in
  postgres://*|postgresql://*) ;;
  pgsql://*) database_url="postgresql://${database_url#pgsql://}" ;;
  *) echo "DATABASE_URL must point at PostgreSQL (backups of the embedded SQLite are not supported)" >&2; exit 2 ;;
esac

umask 077  # a backup holds everything: only its owner may read it
parent="$1"
mkdir -p "$parent"
target="$parent/saferwork-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir "$target"
partial="$target/INCOMPLETE"
touch "$partial"

pg_dump --format=custom --no-owner --no-privileges --file="$target/database.dump" --dbname="$database_url"

if [ -n "$(value STORAGE_BUCKET)" ]; then
  "$python" "$here/bucket_copy.py" download "$target/bucket"
else
  var_dir="$(value SAFERWORK_VAR_DIR)"
  media="${var_dir:-$root/var}/media"
  if [ -d "$media" ]; then
    # tar keeps each file's day-only modification time (saferwork/lib/storage.py).
    tar --create --file="$target/media.tar" --directory="$media" .
  else
    tar --create --file="$target/media.tar" --files-from=/dev/null
  fi
fi

(cd "$target" && find . -type f ! -name SHA256SUMS ! -name INCOMPLETE -print0 | sort -z | xargs -0 sha256sum > SHA256SUMS)
rm "$partial"
echo "$target"
