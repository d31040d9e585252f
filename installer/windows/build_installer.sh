#!/usr/bin/env bash
# Compiles the Windows installer (boligsag.nsi) with Debian's makensis, to catch syntax
# and logic errors in the script on Linux. The real installer is built on a Windows
# runner from PyInstaller's folder (.github/workflows/windows.yml).
#   bash installer/windows/build_installer.sh [SOURCE_DIR] [OUT_DIR]
# Without SOURCE_DIR it compiles against a stand-in for dist/boligsag/ made here: the
# layout of the one-folder build (boligsag.exe, boligsag-cli.exe, _internal/), with
# placeholder bytes. Prints the installer's path. Needs makensis (Debian package nsis,
# installed by `installer/debian/setup.sh --dev`).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out_dir="${2:-$root/build/installer/windows}"
mkdir -p "$out_dir"
out_dir="$(cd "$out_dir" && pwd)"

if ! command -v makensis >/dev/null; then
  echo "makensis is missing: apt-get install nsis (or installer/debian/setup.sh --dev)" >&2
  exit 1
fi

version="$(python3 -c 'import sys, tomllib; print(tomllib.load(open(sys.argv[1], "rb"))["project"]["version"])' "$root/pyproject.toml")"

if [ -n "${1:-}" ]; then
  source_dir="$(cd "$1" && pwd)"
else
  source_dir="$out_dir/stand-in/boligsag"
  rm -rf "$out_dir/stand-in"
  mkdir -p "$source_dir/_internal/boligsag/resources/i18n/da"
  # Not programs, just bytes in the places PyInstaller puts them; a name with æøå and a
  # space checks that the script's Unicode mode carries such file names.
  printf 'MZ stand-in for the windowed boligsag.exe\n' > "$source_dir/boligsag.exe"
  printf 'MZ stand-in for the console boligsag-cli.exe\n' > "$source_dir/boligsag-cli.exe"
  head -c 200000 /dev/urandom > "$source_dir/_internal/python311.dll"
  printf '{"Gem": "Gem"}\n' > "$source_dir/_internal/boligsag/resources/i18n/da/core.json"
  printf 'æøå\n' > "$source_dir/_internal/boligsag/resources/Bolig æøå ÆØÅ.txt"
fi

# makensis on Linux reads "\" in the script's paths as a separator too.
makensis -V2 -WX -INPUTCHARSET UTF8 \
  "-DVERSION=$version" "-DSOURCE_DIR=$source_dir" \
  "-DOUTFILE=$out_dir/Boligsag-$version-setup.exe" \
  "$here/boligsag.nsi" >&2
echo "$out_dir/Boligsag-$version-setup.exe"
