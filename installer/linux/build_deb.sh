#!/usr/bin/env bash
# Builds the Linux package dist/boligsag_<version>_<arch>.deb from the PyInstaller
# one-folder build (installer/boligsag.spec):
#   /opt/boligsag/                the program folder (no Python or checkout needed)
#   /usr/bin/boligsag             a symlink to /opt/boligsag/boligsag (GUI and CLI)
#   /usr/share/applications/      dk.boligsag.Boligsag.desktop (Danish and English)
#   /usr/share/icons/hicolor/     the application icon, 16-256 px
#   /usr/share/metainfo/          AppStream metainfo
# Run from anywhere, on Debian 12 after `installer/debian/setup.sh --dev` (and with
# PyInstaller from pyproject's `build` extra). Prints the build time and sizes.
set -euo pipefail

cd "$(dirname "$0")/../.."
root_dir="$(pwd)"
python="${PYTHON:-$root_dir/.venv/bin/python}"
started=$(date +%s)

version="$("$python" -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')"
arch="$(dpkg --print-architecture)"
app_id="dk.boligsag.Boligsag"

# Build tools (PyInstaller) come from the `build` extra; install them when missing.
if ! "$python" -c 'import PyInstaller' 2>/dev/null; then
  "$python" -m pip install --quiet --disable-pip-version-check -e ".[build]"
fi

export QT_QPA_PLATFORM=offscreen PYTHONPATH="$root_dir/src"
"$python" installer/make_icons.py build/installer/icons
"$python" -m PyInstaller --noconfirm --log-level WARN --distpath dist \
  --workpath build/pyinstaller installer/boligsag.spec

# The frozen program must answer before it is packaged: every CLI command's imports.
dist/boligsag/boligsag --version
for command in $("$python" -c 'from boligsag.cli_commands import COMMANDS; print(*COMMANDS)'); do
  dist/boligsag/boligsag "$command" --help >/dev/null
done

package="build/deb/boligsag_${version}_${arch}"
rm -rf "$package"
mkdir -p "$package/DEBIAN" "$package/opt" "$package/usr/bin" \
  "$package/usr/share/applications" "$package/usr/share/metainfo" \
  "$package/usr/share/doc/boligsag"
cp -a dist/boligsag "$package/opt/boligsag"
ln -s /opt/boligsag/boligsag "$package/usr/bin/boligsag"
for size in 16 24 32 48 64 128 256; do
  icon_dir="$package/usr/share/icons/hicolor/${size}x${size}/apps"
  mkdir -p "$icon_dir"
  install -m 644 "build/installer/icons/boligsag-$size.png" "$icon_dir/$app_id.png"
done
install -m 644 "installer/linux/$app_id.desktop" "$package/usr/share/applications/"
sed -e "s/@VERSION@/$version/" -e "s/@DATE@/$(date -u +%Y-%m-%d)/" \
  "installer/linux/$app_id.metainfo.xml" > "$package/usr/share/metainfo/$app_id.metainfo.xml"
if command -v appstreamcli >/dev/null; then
  appstreamcli validate --no-net --pedantic "$package/usr/share/metainfo/$app_id.metainfo.xml"
fi
if command -v desktop-file-validate >/dev/null; then
  desktop-file-validate "$package/usr/share/applications/$app_id.desktop"
fi
cat > "$package/usr/share/doc/boligsag/copyright" <<COPYRIGHT
Boligsag $version. The licences of the libraries bundled in /opt/boligsag are listed in
/opt/boligsag/_internal/boligsag/resources/licenses/ and in the program's Help > About.
COPYRIGHT

# Depends: the Debian libraries the bundled Qt plugins (xcb, wayland, EGL/GLX, CUPS
# printing), Python's extension modules and the fonts need on a minimal system.
# installer/linux/smoke_test.sh checks in a fresh minbase root that, with only these,
# every bundled library finds all of its own.
depends=(
  libc6 libstdc++6 zlib1g libffi8 libssl3 libsqlite3-0 libuuid1 libzstd1 libbrotli1
  libreadline8
  libglib2.0-0 libdbus-1-3 libfontconfig1 libfreetype6 libpng16-16
  libegl1 libgl1 libopengl0 libdrm2
  libx11-6 libx11-xcb1 libxcb1 libxcb-cursor0 libxcb-glx0 libxcb-icccm4 libxcb-image0
  libxcb-keysyms1 libxcb-randr0 libxcb-render0 libxcb-render-util0 libxcb-shape0
  libxcb-shm0 libxcb-sync1 libxcb-util1 libxcb-xfixes0 libxcb-xinerama0 libxcb-xkb1
  libxkbcommon0 libxkbcommon-x11-0
  libwayland-client0 libwayland-cursor0 libwayland-egl1
  libcups2 libgssapi-krb5-2
  fonts-dejavu-core
)
installed_kb="$(du -sk --exclude=DEBIAN "$package" | cut -f1)"
cat > "$package/DEBIAN/control" <<CONTROL
Package: boligsag
Version: $version
Architecture: $arch
Maintainer: Boligsag <it@boligsag.invalid>
Installed-Size: $installed_kb
Depends: $(IFS=,; echo "${depends[*]}" | sed 's/,/, /g')
Section: misc
Priority: optional
Homepage: https://boligsag.invalid
Description: Case tracking for boligsociale indsatser
 Boligsag keeps the contacts, activities, referrals and summaries of the
 frontline staff of Danish social-housing programmes in an encrypted
 database on the computer, optionally synced with a team server.
 The program and everything it needs is in /opt/boligsag.
CONTROL

mkdir -p dist
rm -f dist/boligsag_*.deb
dpkg-deb --build --root-owner-group -Zxz --threads-max=2 "$package" "dist/boligsag_${version}_${arch}.deb" >/dev/null
echo "folder:   $(du -sh dist/boligsag | cut -f1) (dist/boligsag)"
echo "package:  $(du -h "dist/boligsag_${version}_${arch}.deb" | cut -f1) (dist/boligsag_${version}_${arch}.deb)"
echo "build:    $(( $(date +%s) - started )) s"
