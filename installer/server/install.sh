#!/usr/bin/env bash
# Installs the Boligsag team server on Debian 12, as installer/server/README.md describes:
# Debian's PostgreSQL and Python, a system user, the database and its role (peer
# authentication over the unix socket: no password anywhere), Boligsag in a virtual
# environment, `boligsag server init`, the systemd units and the nightly pg_dump.
#
#   bash installer/server/install.sh --organisation "Boligsocial Nord" \
#       --admin-name "Anna Admin" --plan "Helhedsplan Nord" [--period 2019-2026] \
#       [--start YYYY-MM-DD --end YYYY-MM-DD] [--admin-username admin] \
#       [--area "Nordparken" …] [--host server.example.dk …] [--listen 0.0.0.0:8443] \
#       [--from WHEEL_OR_FOLDER]
#
# Run as root. Safe to run again: it only adds what is missing, reinstalls Boligsag from
# --from, migrates the database (`boligsag server migrate`, with the server stopped) and
# restarts the server (an upgrade), and never initialises twice. The first
# administrator's password comes from a prompt, or from BOLIGSAG_PASSWORD when there is
# no terminal.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
source_path="$(cd "$here/../.." && pwd)"  # the checkout this script came with
organisation=""
admin_name=""
admin_username="admin"
listen="0.0.0.0:8443"
areas=()
hosts=()
plan=()     # --plan NAME and the plan's optional --period, --start, --end
plan_name=""

usage() { sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --organisation) organisation="${2:?}"; shift 2;;
    --admin-name) admin_name="${2:?}"; shift 2;;
    --admin-username) admin_username="${2:?}"; shift 2;;
    --area) areas+=(--area "${2:?}"); shift 2;;
    --plan) plan_name="${2:?}"; plan+=(--plan "$plan_name"); shift 2;;
    --period|--start|--end) plan+=("$1" "${2:?}"); shift 2;;
    --host) hosts+=(--host "${2:?}"); shift 2;;
    --listen) listen="${2:?}"; shift 2;;
    --from) source_path="$(realpath "${2:?}")"; shift 2;;
    -h|--help) usage;;
    *) echo "install.sh: unknown option $1" >&2; usage;;
  esac
done
if [ "$(id -u)" -ne 0 ]; then echo "install.sh: run as root" >&2; exit 2; fi

service_user="boligsag"
database="boligsag"
prefix="/opt/boligsag-server"          # the virtual environment
config="/etc/boligsag-server"          # server.json, secret.key, tls/ (owner-only)
snapshots="/var/lib/boligsag-server/snapshots"  # the team snapshot (owner-only)
backups="/var/backups/boligsag-server" # pg_dump files (owner postgres, 0700)
# Peer authentication: the server's system user is the database role of the same name,
# so the URL holds no password and no password file is needed on this machine.
database_url="postgresql://${service_user}@/${database}?host=/var/run/postgresql"
step() { printf '\n== %s (at %ds)\n' "$*" "$SECONDS"; }
cd /  # runuser'd commands may not enter the caller's folder

step "Debian packages"
packages=(python3 python3-venv postgresql ca-certificates openssl)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

step "System user $service_user"
if ! id -u "$service_user" >/dev/null 2>&1; then
  useradd --system --user-group --home-dir /nonexistent --no-create-home \
    --shell /usr/sbin/nologin --comment "Boligsag team server" "$service_user"
fi

step "PostgreSQL"
systemd_running=false
if [ -d /run/systemd/system ]; then systemd_running=true; fi
if [ -z "$(pg_lsclusters --no-header 2>/dev/null)" ]; then
  version="$(ls /usr/lib/postgresql | sort -n | tail -1)"
  pg_createcluster "$version" main
fi
read -r pg_version pg_cluster _ pg_status _ < <(pg_lsclusters --no-header | head -1)
if $systemd_running; then
  systemctl enable --now postgresql.service
elif [ "$pg_status" != "online" ]; then
  # No systemd (a container or chroot): Debian's own wrapper starts the cluster.
  pg_ctlcluster "$pg_version" "$pg_cluster" start
fi
runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -d postgres <<SQL
SELECT 'CREATE ROLE ${service_user} LOGIN'
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${service_user}') \gexec
SELECT 'CREATE DATABASE ${database} OWNER ${service_user} ENCODING ''UTF8'' TEMPLATE template0'
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '${database}') \gexec
SQL
echo "database $database owned by role $service_user (peer authentication)"

step "Boligsag in $prefix"
if [ ! -x "$prefix/bin/python" ]; then python3 -m venv "$prefix"; fi
"$prefix/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
# --force-reinstall --no-deps: the same version number from a newer checkout is still
# installed (an upgrade); the dependencies are then brought to the pinned versions.
"$prefix/bin/python" -m pip install --quiet --disable-pip-version-check \
  --force-reinstall --no-deps "$source_path"
"$prefix/bin/python" -m pip install --quiet --disable-pip-version-check "$source_path"
ln -sf "$prefix/bin/boligsag" /usr/local/bin/boligsag
"$prefix/bin/boligsag" --version

step "Configuration in $config"
if [ -e "$config/server.json" ]; then
  echo "already initialised; left as it is"
  # An upgrade: the new version may bring schema migrations, without which the new
  # `server run` refuses to start. The running servers are stopped first, so that none
  # meets a schema it does not know; they start again below.
  if $systemd_running; then
    systemctl stop boligsag-server.service 'boligsag-server@*.service' || true
  fi
  # A database on another machine: its password file, as the unit gives it.
  pgpass=()
  if [ -e /etc/boligsag-server.pgpass ]; then pgpass=(PGPASSFILE=/etc/boligsag-server.pgpass); fi
  # A server set up before team snapshots: they go to /var/lib, where the snapshot
  # service may write (ProtectSystem=strict keeps /etc read-only for it).
  runuser -u "$service_user" -- "$prefix/bin/python" - "$config/server.json" "$snapshots" <<'PY'
import json, os, sys
path, folder = sys.argv[1], sys.argv[2]
with open(path, encoding="utf-8") as f:
    doc = json.load(f)
if "snapshot_folder" not in doc:
    doc["snapshot_folder"] = folder
    with open(path + ".new", "w", encoding="utf-8") as f:
        f.write(json.dumps(doc, indent=2) + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.chmod(path + ".new", 0o600)
    os.replace(path + ".new", path)
    print(f"team snapshots will be kept in {folder}")
PY
  if ! runuser -u "$service_user" -- env "${pgpass[@]}" "$prefix/bin/boligsag" server \
      migrate --config "$config"; then
    echo "install.sh: the database was not migrated and is as it was; the server stays" >&2
    echo "stopped. Fix the cause above and run install.sh again." >&2
    exit 1
  fi
else
  if [ -z "$organisation" ] || [ -z "$admin_name" ] || [ -z "$plan_name" ]; then
    echo "install.sh: the first run needs --organisation, --admin-name and --plan" >&2
    exit 2
  fi
  # `server init` runs as the service user (peer authentication) and builds its folder
  # beside the target, so it writes into a private folder of its own first; the result
  # then moves to /etc, still owned by the service user with owner-only modes, which
  # `server run` requires of secret.key.
  work="$(mktemp -d /var/tmp/boligsag-server-init.XXXXXX)"
  chown "$service_user:" "$work"
  trap 'rm -rf "$work"' EXIT
  init=(runuser -u "$service_user" -- "$prefix/bin/boligsag" server init "$database_url"
        --config "$work/config" --organisation "$organisation" --admin-name "$admin_name"
        --admin-username "$admin_username" --listen "$listen" "${areas[@]}" "${plan[@]}"
        "${hosts[@]}" --snapshot-folder "$snapshots")
  # Its report names the folder it wrote; the sed names the one it ends up in.
  if [ -t 0 ]; then
    "${init[@]}" | sed "s#$work/config#$config#g"
  elif [ -n "${BOLIGSAG_PASSWORD:-}" ]; then
    printf '%s\n' "$BOLIGSAG_PASSWORD" | "${init[@]}" --password-stdin \
      | sed "s#$work/config#$config#g"
  else
    echo "install.sh: no terminal: give the administrator's password in BOLIGSAG_PASSWORD" >&2
    exit 2
  fi
  mv "$work/config" "$config"
fi

step "systemd units, the nightly backup, the weekly prune and the nightly snapshot"
install -d -o "$service_user" -g "$service_user" -m 0700 "$(dirname "$snapshots")" "$snapshots"
install -m 0644 "$here/boligsag-server.service" "$here/boligsag-server@.service" \
  "$here/boligsag-server-backup.service" "$here/boligsag-server-backup.timer" \
  "$here/boligsag-server-prune.service" "$here/boligsag-server-prune.timer" \
  "$here/boligsag-server-snapshot.service" "$here/boligsag-server-snapshot.timer" \
  /etc/systemd/system/
install -m 0755 "$here/backup.sh" /usr/local/sbin/boligsag-server-backup
install -d -o postgres -g postgres -m 0700 "$backups"
if $systemd_running; then
  systemctl daemon-reload
  systemctl enable --now boligsag-server-backup.timer boligsag-server-prune.timer \
    boligsag-server-snapshot.timer
  # The first snapshot now, in the background, not at 04:15: a team lead who joins
  # today starts from it.
  systemctl start --no-block boligsag-server-snapshot.service
  # Restarted, not only started: after an upgrade the running server still has the old
  # code. Several instances (boligsag-server@PORT, README "Several instances") replace
  # the single unit, which must then stay off: the load balancer has its port.
  shopt -s nullglob
  instances=(/etc/systemd/system/multi-user.target.wants/boligsag-server@*.service)
  shopt -u nullglob
  if [ "${#instances[@]}" -gt 0 ]; then
    units=("${instances[@]##*/}")
  else
    units=(boligsag-server.service)
    systemctl enable boligsag-server.service
  fi
  systemctl restart "${units[@]}"
  systemctl --no-pager --lines=5 status "${units[@]}" || true
else
  echo "systemd is not running here (a container or chroot): the units are installed but"
  echo "not started. Start the server by hand with the unit's command:"
  echo "  runuser -u $service_user -- $prefix/bin/boligsag server run --config $config"
fi

port="${listen##*:}"
step "Done"
echo "Open TCP port $port to the laptops' network (installer/server/README.md, Firewall)."
echo "Certificate fingerprint (SHA-256) for the laptops to pin:"
echo "  $(openssl x509 -in "$config/tls/cert.pem" -noout -fingerprint -sha256 | cut -d= -f2)"
