"""installer/server/'s weekly prune (boligsag-server-prune.timer and .service) starts a
command the CLI accepts, as the server's own account, and install.sh installs and
enables it."""

from __future__ import annotations

import shlex

from boligsag.cli import build_parser

from .test_server_installer import INSTALLER, install_script_value, unit_settings


def test_the_prune_unit_starts_server_prune_as_the_service_user() -> None:
    settings = unit_settings("boligsag-server-prune.service")
    program, *arguments = shlex.split(settings["ExecStart"])
    assert program == f"{install_script_value('prefix')}/bin/boligsag"
    args = build_parser().parse_args(arguments)  # SystemExit(2) on an unknown option
    assert (args.command, args.action, args.dry_run) == ("server", "prune", False)
    assert str(args.config) == install_script_value("config")
    assert settings["User"] == install_script_value("service_user")
    assert settings["Type"] == "oneshot"


def test_the_prune_timer_runs_weekly_and_install_sh_enables_it() -> None:
    settings = unit_settings("boligsag-server-prune.timer")
    assert settings["OnCalendar"].startswith("Sun ")
    assert settings["Persistent"] == "true"
    script = (INSTALLER / "install.sh").read_text(encoding="utf-8")
    assert '"$here/boligsag-server-prune.service" "$here/boligsag-server-prune.timer"' in script
    assert "boligsag-server-prune.timer" in next(
        line for line in script.splitlines() if "enable --now boligsag-server-backup" in line)
