#!/usr/bin/env bash
# Installs everything Boligsag needs on Debian 12: the system libraries and fonts Qt
# needs, a project virtual environment in .venv, and the pinned Python packages.
#   bash installer/debian/setup.sh         the application
#   bash installer/debian/setup.sh --dev   the application plus the test tools
# Safe to run again: it only adds what is missing.
set -euo pipefail

cd "$(dirname "$0")/../.."
extras=""
if [ "${1:-}" = "--dev" ]; then extras="[dev]"; fi

sudo_cmd=""
if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi

# Qt's xcb and offscreen platforms, OpenGL/EGL, fontconfig and a TTF font (Qt wheels
# ship no fonts: without one every glyph is a box).
debian_packages=(
  python3 python3-venv python3-pip
  libegl1 libgl1 libopengl0 libglib2.0-0 libdbus-1-3 libfontconfig1 libfreetype6
  libxkbcommon0 libxkbcommon-x11-0 libx11-xcb1 libxcb1 libxcb-cursor0 libxcb-icccm4
  libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0 libxcb-shape0
  libxcb-xfixes0 libxcb-xinerama0 libxcb-xkb1 libxcb-shm0 libxcb-sync1 libxrender1
  libgssapi-krb5-2 libcups2
  fonts-dejavu-core
)
# The tests read rendered letters back with pdftotext, as a reader's PDF viewer would, and
# start their own throwaway PostgreSQL cluster (Debian 12's postgresql is 15; its server
# package already carries pg_trgm, so postgresql-contrib is not needed). makensis (nsis)
# compiles the Windows installer's script in a test, so its errors show up on Linux.
if [ -n "$extras" ]; then debian_packages+=(poppler-utils postgresql nsis); fi
# The Linux package's build and smoke test (installer/linux): PyInstaller needs binutils
# (objdump) and the shared libpython it bundles (libpython3-dev brings the one of
# Debian's python3, libpython3.11.so.1.0 on Debian 12), the smoke test a fresh Debian
# root from debootstrap; the metainfo and the desktop entry are validated with
# appstreamcli and desktop-file-validate.
if [ -n "$extras" ]; then
  debian_packages+=(binutils libpython3-dev debootstrap appstream desktop-file-utils
                    xz-utils)
fi
missing=()
for package in "${debian_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "Installing Debian packages: ${missing[*]}"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

python="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".${extras}"
echo "Boligsag is installed in $(pwd)/.venv"
