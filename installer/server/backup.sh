#!/bin/sh
# One pg_dump of the team server's database in PostgreSQL's custom format (-Fc:
# compressed, restored with pg_restore, table by table if need be), then the dumps older
# than BOLIGSAG_BACKUP_DAYS are removed. Run as the postgres user by
# boligsag-server-backup.service (installed as /usr/local/sbin/boligsag-server-backup).
# The dumps hold the team's personal data unencrypted: the folder is owner-only, and
# copies that leave the machine must be encrypted (installer/server/README.md, Backups).
set -eu
folder="${BOLIGSAG_BACKUP_DIR:-/var/backups/boligsag-server}"
database="${BOLIGSAG_DATABASE:-boligsag}"
keep_days="${BOLIGSAG_BACKUP_DAYS:-14}"
umask 077
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
target="$folder/$database-$stamp.dump"
# Written under another name and renamed when complete: a dump cut off by a crash or a
# full disk never looks like a backup.
pg_dump --format=custom --dbname="$database" --file="$target.partial"
mv "$target.partial" "$target"
find "$folder" -maxdepth 1 -name "$database-*.dump" -mtime +"$keep_days" -delete
echo "backup written: $target ($(du -h "$target" | cut -f1))"
