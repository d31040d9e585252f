"""installer/server/'s nightly team snapshot (boligsag-server-snapshot.timer and
.service) starts a command the CLI accepts, as the server's own account, writing only
its state folder (ProtectSystem=strict keeps the rest read-only), where install.sh
points server.json's snapshot_folder; install.sh installs and enables it."""

from __future__ import annotations

import shlex

from boligsag.cli import build_parser

from .test_server_installer import INSTALLER, install_script_value, unit_settings


def test_the_snapshot_unit_builds_into_its_own_state_folder_as_the_service_user() -> None:
    settings = unit_settings("boligsag-server-snapshot.service")
    program, *arguments = shlex.split(settings["ExecStart"])
    assert program == f"{install_script_value('prefix')}/bin/boligsag"
    args = build_parser().parse_args(arguments)  # SystemExit(2) on an unknown option
    assert (args.command, args.action) == ("server", "snapshot")
    assert str(args.config) == install_script_value("config")
    assert settings["User"] == install_script_value("service_user")
    assert settings["Type"] == "oneshot"
    assert settings["ProtectSystem"] == "strict"
    # The only place it may write: /var/lib/<StateDirectory>, owner-only.
    state = f"/var/lib/{settings['StateDirectory']}/"
    assert install_script_value("snapshots").startswith(state)
    assert settings["StateDirectoryMode"] == "0700"


def test_install_sh_points_the_server_at_the_snapshot_folder_and_enables_the_timer() -> None:
    settings = unit_settings("boligsag-server-snapshot.timer")
    assert settings["OnCalendar"].startswith("*-*-* ")  # every night
    assert settings["Persistent"] == "true"
    script = (INSTALLER / "install.sh").read_text(encoding="utf-8")
    assert '--snapshot-folder "$snapshots"' in script  # a new server
    assert 'doc["snapshot_folder"] = folder' in script  # an upgraded one
    assert ('"$here/boligsag-server-snapshot.service" "$here/boligsag-server-snapshot.timer"'
            in script)
    enabling = script[script.index("enable --now boligsag-server-backup"):]
    assert "boligsag-server-snapshot.timer" in enabling.split("\n\n")[0]
    # init accepts the option install.sh gives it.
    args = build_parser().parse_args(
        ["server", "init", "postgresql://boligsag@/boligsag", "--organisation", "O",
         "--admin-name", "A", "--plan", "P", "--snapshot-folder",
         install_script_value("snapshots")])
    assert str(args.snapshot_folder) == install_script_value("snapshots")
