"""The Windows installer's NSIS script compiles with Debian's makensis, and what it
compiles to keeps the promises the README makes to IT: per-user by default, /ALLUSERS
for a per-machine install, silent with /S, an Add/Remove Programs entry with a quiet
uninstall, and an uninstaller that removes the program but never the user's data.

This machine cannot run Windows, so the behaviour is read from makensis's listing of
the compiled instructions (-V4), not from running the installer; the Windows workflow
(.github/workflows/windows.yml) runs it for real. makensis comes from the Debian package
nsis, which ``installer/debian/setup.sh --dev`` installs: without it this test fails.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "installer" / "windows" / "boligsag.nsi"
BUILD = ROOT / "installer" / "windows" / "build_installer.sh"
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["version"]


def makensis() -> str:
    found = shutil.which("makensis")
    assert found, "makensis is missing: run `bash installer/debian/setup.sh --dev` (nsis)"
    return found


def stand_in(folder: Path) -> Path:
    """PyInstaller's one-folder layout with placeholder bytes, in a folder whose name
    has spaces and æøå, like a Windows user's profile may."""
    source = folder / "Mine Dokumenter" / "Bolig æøå ÆØÅ" / "boligsag"
    (source / "_internal" / "boligsag").mkdir(parents=True)
    (source / "boligsag.exe").write_bytes(b"MZ gui")
    (source / "boligsag-cli.exe").write_bytes(b"MZ cli")
    (source / "_internal" / "boligsag" / "Søndergården.txt").write_text("æøå", "utf-8")
    return source


def compile_listing(source: Path, out: Path, *defines: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [makensis(), "-V4", "-WX", "-INPUTCHARSET", "UTF8", *defines,
         f"-DSOURCE_DIR={source}", f"-DOUTFILE={out}", str(SCRIPT)],
        capture_output=True, text=True, encoding="utf-8", errors="replace", timeout=120)


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    folder = tmp_path_factory.mktemp("nsis")
    out = folder / f"Boligsag-{VERSION}-setup.exe"
    result = compile_listing(stand_in(folder), out, f"-DVERSION={VERSION}")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return out, result.stdout


def section(listing: str, name: str) -> str:
    """The instructions of one section or function, as makensis lists them."""
    match = re.search(rf'^(?:Section|Function): "{re.escape(name)}".*?\n(.*?)^(?:SectionEnd|'
                      r'FunctionEnd)$', listing, re.S | re.M)
    assert match, f"{name} not in the listing"
    return match.group(1)


def test_the_script_compiles_to_an_installer_with_its_uninstaller(
        compiled: tuple[Path, str]) -> None:
    out, listing = compiled
    assert out.read_bytes()[:2] == b"MZ"
    assert 100_000 < out.stat().st_size < 5_000_000  # the NSIS stub, the stand-in, MUI
    assert "Generating uninstaller... Done!" in listing
    # -WX: a warning (a language string missing in English or Danish) fails the build.
    assert "warning" not in listing.lower().split("processed")[-1]
    install = section(listing, "Boligsag")
    for name in ("boligsag.exe", "boligsag-cli.exe", "Søndergården.txt"):
        assert f'File: "{name}"' in install


def test_per_user_by_default_per_machine_only_with_allusers_and_admin_rights(
        compiled: tuple[Path, str]) -> None:
    out, listing = compiled
    # No UAC prompt on a double-click: the manifest asks for the caller's own rights.
    assert b'<requestedExecutionLevel level="asInvoker"' in out.read_bytes()
    init = section(listing, ".onInit")
    # Without administrator rights /ALLUSERS stops with 740 before anything is written.
    assert init.index("GetOptionsCall") < init.index("Plugin command: GetAccountType") \
        < init.index('MessageBox: 16: "$(AllUsersNeedsAdmin)"') < init.index("SetErrorLevel: 740")
    assert init.index("SetErrorLevel: 740") < init.index("MULTIUSER_INIT") \
        < init.index('Call "MultiUser.InstallMode.AllUsers"')
    # MultiUser.nsh lists itself quietly (!verbose 3): its settings are in the script.
    text = SCRIPT.read_text("utf-8")
    for define in ("MULTIUSER_EXECUTIONLEVEL Standard", "MULTIUSER_USE_PROGRAMFILES64",
                   'MULTIUSER_INSTALLMODE_INSTDIR "${APP_NAME}"', 'APP_NAME "Boligsag"'):
        assert f"!define {define}\n" in text


def test_no_dialog_can_hold_up_a_silent_install() -> None:
    """Every message box has a default for /S; one without would wait for a click that
    no one gives on a machine installed by a deployment tool."""
    boxes = [line.strip() for line in SCRIPT.read_text("utf-8").splitlines()
             if line.strip().startswith("MessageBox")]
    assert len(boxes) == 4
    assert all(" /SD ID" in box for box in boxes), boxes


def test_add_remove_programs_entry_has_version_publisher_and_a_quiet_uninstall(
        compiled: tuple[Path, str]) -> None:
    _out, listing = compiled
    install = section(listing, "Boligsag")
    key = r"SHCTX\\Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\Boligsag"
    values = dict(re.findall(rf"WriteRegStr: {key}\\(\w+)=(.*)", install))
    assert values["DisplayVersion"] == VERSION
    assert values["Publisher"] == "Boligsag"
    assert values["UninstallString"] == '"$INSTDIR\\uninstall.exe"'
    assert values["QuietUninstallString"] == '"$INSTDIR\\uninstall.exe" /S'
    assert 'CreateShortcut: "$SMPROGRAMS\\Boligsag.lnk"' in install


def test_the_uninstaller_removes_the_program_and_never_the_data(
        compiled: tuple[Path, str]) -> None:
    _out, listing = compiled
    uninstall = section(listing, "Uninstall")
    assert 'RMDir: /r "$INSTDIR\\_internal"' in uninstall
    assert 'Delete: "$INSTDIR\\boligsag.exe"' in uninstall
    assert 'Delete: "$SMPROGRAMS\\Boligsag.lnk"' in uninstall
    # The program folder itself only if empty: a folder chosen with /D= may hold more.
    assert 'RMDir: "$INSTDIR"' in uninstall and 'RMDir: /r "$INSTDIR"\n' not in uninstall
    removals = [line for line in uninstall.splitlines() if line.startswith(("Delete", "RMDir"))]
    assert not [line for line in removals if "LOCALAPPDATA\\Boligsag" in line
                or ".db" in line or ".keys" in line]
    # ... and says where the data stayed, also in a silent uninstall's log.
    assert 'DetailPrint: "$(DataKeptDone)"' in uninstall
    assert 'MessageBox: 64: "$(DataKeptDone)"' in uninstall
    # A per-machine copy is uninstalled per machine, found by HKLM's entry.
    assert "ReadRegStr $0 HKLM\\Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall" \
        "\\Boligsag\\InstallLocation" in section(listing, "un.onInit")


def test_the_uninstall_messages_exist_in_danish_and_english() -> None:
    text = SCRIPT.read_text("utf-8")
    strings = re.findall(r"^LangString (\w+) \$\{LANG_(DANISH|ENGLISH)\} \"(.*)\"$", text, re.M)
    by_name: dict[str, dict[str, str]] = {}
    for name, language, value in strings:
        by_name.setdefault(name, {})[language] = value
    assert {"DataKeptConfirm", "DataKeptDone", "AllUsersNeedsAdmin"} <= set(by_name)
    assert all(set(v) == {"DANISH", "ENGLISH"} for v in by_name.values())
    assert "slettes IKKE" in by_name["DataKeptConfirm"]["DANISH"]
    assert "NOT deleted" in by_name["DataKeptConfirm"]["ENGLISH"]
    # Danish is the default: the first language inserted.
    languages = re.findall(r'^!insertmacro MUI_LANGUAGE "(\w+)"', text, re.M)
    assert languages == ["Danish", "English"]


def test_without_a_version_the_build_stops(tmp_path: Path) -> None:
    result = compile_listing(stand_in(tmp_path), tmp_path / "setup.exe")
    assert result.returncode != 0
    assert "VERSION is not defined" in result.stdout + result.stderr
    assert not (tmp_path / "setup.exe").exists()


def test_the_build_script_compiles_against_its_own_stand_in(tmp_path: Path) -> None:
    makensis()
    result = subprocess.run(["bash", str(BUILD), "", str(tmp_path)], capture_output=True,
                            text=True, timeout=180)
    assert result.returncode == 0, result.stderr[-3000:]
    out = Path(result.stdout.strip())
    assert out == tmp_path / f"Boligsag-{VERSION}-setup.exe"
    assert out.read_bytes()[:2] == b"MZ"


def test_the_windows_workflow_uses_what_the_repository_has() -> None:
    """The workflow runs only on GitHub's Windows runners; here, at least, every file
    and name it relies on must exist: a rename would otherwise show up there only."""
    workflow = (ROOT / ".github" / "workflows" / "windows.yml").read_text("utf-8")
    # The installer's own files.
    paths = re.findall(r"installer[\\/]windows[\\/][\w.]+", workflow)
    assert {path.replace("\\", "/") for path in paths} == {
        "installer/windows/boligsag.nsi", "installer/windows/check_file_in_use.py"}
    for path in paths:
        assert (ROOT / path.replace("\\", "/")).is_file(), path
    assert "installer\\windows\\boligsag.nsi" in workflow
    # The PyInstaller build's files it calls.
    for path in ("installer/boligsag.spec", "installer/make_icons.py"):
        assert path in workflow.replace("\\", "/") and (ROOT / path).is_file(), path
    # The names the smoke test looks for are the ones the program and the script use.
    assert "shown unlockDialog" in workflow
    unlock = (ROOT / "src" / "boligsag" / "ui" / "unlock_dialog.py").read_text("utf-8")
    assert 'named(self, "unlockDialog"' in unlock
    script = SCRIPT.read_text("utf-8")
    for name in ("boligsag.exe", "boligsag-cli.exe", "uninstall.exe"):
        assert name in workflow and f'"{name}"' in script
    assert '"/S", "/ALLUSERS"' in workflow and "Programs\\Boligsag" in workflow
