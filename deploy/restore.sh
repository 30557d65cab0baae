#!/usr/bin/env bash
# Restore a SaferWork backup made by deploy/backup.sh into an EMPTY database and an EMPTY
# bucket (or an empty local media folder): it refuses to write over anything.
#
#   deploy/restore.sh /var/backups/saferwork/saferwork-20261201T020000Z
#
# Reads the same variables as backup.sh (each also as NAME_FILE): DATABASE_URL names the
# new database (create it first: createdb -O saferwork saferwork), STORAGE_BUCKET and its
# STORAGE_* variables the new bucket (create it first, private), or without STORAGE_BUCKET
# the files go to SAFERWORK_VAR_DIR/media. Stop the web and worker services while you
# restore, run it with the service's environment file loaded, then run
# `manage.py migrate` (a newer release may have migrations the backup predates) and start
# the services. Use the same SECRET_KEY as before: sealed links and rate-limit keys
# derive from it.
set -euo pipefail

usage() { echo "usage: $0 BACKUP_FOLDER" >&2; exit 2; }
[ $# -eq 1 ] || usage
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
python="${SAFERWORK_PYTHON:-$root/.venv/bin/python}"
backup="$1"

value() {
  local file_var="${1}_FILE"
  if [ -n "${!file_var:-}" ]; then tr -d '\n' < "${!file_var}"; else printf '%s' "${!1:-}"; fi
}

if [ -e "$backup/INCOMPLETE" ] || [ ! -f "$backup/SHA256SUMS" ]; then
  echo "$backup is not a complete backup" >&2; exit 1
fi
(cd "$backup" && sha256sum --check --quiet SHA256SUMS)

database_url="$(value DATABASE_URL)"
case "$database_url" in
  postgres://*|postgresql://*) ;;
  pgsql://*) database_url="postgresql://${database_url#pgsql://}" ;;
  *) echo "DATABASE_URL must point at PostgreSQL" >&2; exit 2 ;;
esac

tables="$(psql --no-psqlrc --tuples-only --no-align --dbname="$database_url" \
  --command="select count(*) from pg_tables where schemaname = 'public'")"
if [ "$tables" != "0" ]; then
  echo "the database in DATABASE_URL already has $tables tables: restore into an empty one" >&2; exit 1
fi

if [ -n "$(value STORAGE_BUCKET)" ]; then
  [ -f "$backup/bucket/manifest.json" ] || { echo "$backup holds no bucket copy (it was taken from a local folder)" >&2; exit 1; }
  # bucket_copy.py refuses a bucket that is not empty, before anything is written.
  "$python" "$here/bucket_copy.py" check-empty
else
  [ -f "$backup/media.tar" ] || { echo "$backup holds no media folder (it was taken from a bucket)" >&2; exit 1; }
  var_dir="$(value SAFERWORK_VAR_DIR)"
  media="${var_dir:-$root/var}/media"
  if [ -d "$media" ] && [ -n "$(ls -A "$media")" ]; then
    echo "$media is not empty: restore into an empty folder" >&2; exit 1
  fi
fi

pg_restore --no-owner --no-privileges --exit-on-error --single-transaction \
  --dbname="$database_url" "$backup/database.dump"

if [ -n "$(value STORAGE_BUCKET)" ]; then
  "$python" "$here/bucket_copy.py" upload "$backup/bucket"
else
  mkdir -p "$media"
  tar --extract --file="$backup/media.tar" --directory="$media"
fi
echo "restored $backup" >&2
