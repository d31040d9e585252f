#!/usr/bin/env bash
# Smoke test of the INSTALLED Linux package, in a fresh Debian 12 (bookworm) root:
#   bash installer/linux/smoke_test.sh dist/boligsag_<version>_<arch>.deb
# 1. a minbase root from debootstrap (the pristine root is cached as a tarball in
#    $BOLIGSAG_SMOKE_CACHE, default /var/cache/boligsag-smoke; a clean machine makes it once),
# 2. `apt-get install ./boligsag_*.deb` inside it, so Debian resolves the Depends,
# 3. every library in /opt/boligsag finds all of its own (ldd), with only those Depends,
# 4. as the installed `boligsag` command, offscreen, in a temp HOME: `boligsag demo`,
#    `boligsag check` on it, a summary as PDF and XLSX, and the GUI up to the unlock dialog, quitting on a timer
#    (BOLIGSAG_STARTUP_PROBE / BOLIGSAG_QUIT_AFTER_MS, ui/shell/startup_probe.py), five
#    times: the median time from process start to the unlock dialog is printed.
# Runs as root (through sudo when started as a user); on Debian 12 after setup.sh --dev.
# Mounts are undone and the root removed on every exit path.
set -euo pipefail

if [ "$#" -ne 1 ] || [ ! -f "$1" ]; then
  echo "usage: $0 PATH/boligsag_VERSION_ARCH.deb" >&2
  exit 2
fi
if [ "$(id -u)" -ne 0 ]; then  # debootstrap, chroot and mount need root
  if command -v sudo >/dev/null; then
    exec sudo --preserve-env=BOLIGSAG_SMOKE_CACHE,BOLIGSAG_SMOKE_MIRROR bash "$0" "$@"
  fi
  echo "smoke_test.sh must run as root (debootstrap, chroot, mount)" >&2
  exit 2
fi
command -v debootstrap >/dev/null || { echo "debootstrap is missing (setup.sh --dev)" >&2; exit 2; }

deb="$(readlink -f "$1")"
mirror="${BOLIGSAG_SMOKE_MIRROR:-http://deb.debian.org/debian}"
cache="${BOLIGSAG_SMOKE_CACHE:-/var/cache/boligsag-smoke}"
tarball="$cache/bookworm-minbase.tar"
started=$(date +%s)
work="$(mktemp -d /tmp/boligsag-smoke.XXXXXX)"
root="$work/root"

cleanup() {
  local status=$?
  for mount in dev/pts dev sys proc; do
    if mountpoint -q "$root/$mount" 2>/dev/null; then
      umount "$root/$mount" || umount -l "$root/$mount"
    fi
  done
  # Never delete through a mount that failed to go away.
  if ! grep -q " $work/" /proc/mounts; then
    rm -rf --one-file-system "$work"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

step() { echo "== $* ($(( $(date +%s) - started )) s)"; }

if [ ! -f "$tarball" ]; then
  step "debootstrap --variant=minbase bookworm (cached in $tarball)"
  mkdir -p "$cache"
  debootstrap --variant=minbase bookworm "$work/pristine" "$mirror" >"$work/debootstrap.log" \
    || { tail -20 "$work/debootstrap.log" >&2; exit 1; }
  tar -C "$work/pristine" -cf "$tarball.partial" .
  mv "$tarball.partial" "$tarball"
  rm -rf --one-file-system "$work/pristine"
fi

step "fresh root from $tarball"
mkdir "$root"
tar -C "$root" -xf "$tarball"
mount -t proc proc "$root/proc"
mount -t sysfs sysfs "$root/sys"
mount --bind /dev "$root/dev"
mount --bind /dev/pts "$root/dev/pts"
cp /etc/resolv.conf "$root/etc/resolv.conf"
cp "$deb" "$root/tmp/"

in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"; }

step "apt-get install ./$(basename "$deb")"
in_root apt-get update -qq
in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  "/tmp/$(basename "$deb")" >"$work/apt.log" || { tail -30 "$work/apt.log" >&2; exit 1; }
[ "$(readlink -f "$root/usr/bin/boligsag")" = "$root/opt/boligsag/boligsag" ] \
  || [ "$(in_root readlink -f /usr/bin/boligsag)" = /opt/boligsag/boligsag ]

step "every bundled library resolves with only the Depends"
# A name that is itself in /opt/boligsag is bundled: its dependent loads it (e.g. the ICU
# data library beside PyICU's); anything else missing is a Depends the package lacks.
missing="$(in_root sh -c 'find /opt/boligsag -type f \( -name "*.so*" -o -name boligsag \) \
  -exec ldd {} \; 2>/dev/null | awk "/not found/ {print \$1}" | sort -u \
  | while read -r name; do [ -n "$(find /opt/boligsag -name "$name" -print -quit)" ] \
  || echo "$name"; done')"
if [ -n "$missing" ]; then
  echo "libraries missing in a minimal Debian 12 with the package's Depends:" >&2
  echo "$missing" >&2
  exit 1
fi

# The installed command, as a user would run it: offscreen, a temp HOME, nothing else.
run_app() {
  in_root env HOME=/tmp/smoke/home QT_QPA_PLATFORM=offscreen "$@"
}
mkdir -p "$root/tmp/smoke/home"

step "boligsag demo"
run_app timeout 300 boligsag demo /tmp/smoke/demo.db --people 60 --contacts 1500
step "boligsag check"
run_app env BOLIGSAG_PASSWORD=demo-adgangskode timeout 120 boligsag check /tmp/smoke/demo.db \
  | tee "$work/check.txt"
[ "$(tail -1 "$work/check.txt")" = ok ]
step "boligsag summary as PDF and XLSX (reportlab and its fonts, openpyxl, HiGHS)"
for format in pdf xlsx; do
  run_app env BOLIGSAG_PASSWORD=demo-adgangskode timeout 120 boligsag summary \
    /tmp/smoke/demo.db --from 2020-01-01 --to 2026-12-31 --out "/tmp/smoke/summary.$format"
done
[ "$(head -c 5 "$root/tmp/smoke/summary.pdf")" = "%PDF-" ]
[ "$(head -c 2 "$root/tmp/smoke/summary.xlsx")" = "PK" ]

step "GUI to the unlock dialog, five times"
python3 - "$root" <<'PY'
"""Start the installed GUI five times; each must show the unlock dialog and exit 0."""
import statistics
import subprocess
import sys
import time

root = sys.argv[1]
env = ["/usr/bin/env", "-i", "PATH=/usr/bin:/bin", "LANG=C.UTF-8", "HOME=/tmp/smoke/home",
       "QT_QPA_PLATFORM=offscreen", "BOLIGSAG_STARTUP_PROBE=1", "BOLIGSAG_QUIT_AFTER_MS=1500"]
times = []
for run in range(5):
    started = time.monotonic()  # the same system-wide clock the probe prints
    result = subprocess.run(["chroot", root, *env, "timeout", "60", "boligsag", "--db",
                             "/tmp/smoke/demo.db"], capture_output=True, text=True)
    shown = [line.split() for line in result.stderr.splitlines()
             if line.startswith("boligsag-probe shown unlockDialog ")]
    if result.returncode != 0 or not shown:
        sys.exit(f"run {run + 1}: exit {result.returncode}, no unlock dialog:\n{result.stderr}")
    times.append((float(shown[0][3]) - started) * 1000)
    print(f"run {run + 1}: unlock dialog after {times[-1]:.0f} ms, exit 0")
print(f"cold start to the unlock dialog: median {statistics.median(times):.0f} ms "
      f"(runs: {', '.join(f'{t:.0f}' for t in times)})")
PY
step "smoke test passed"
