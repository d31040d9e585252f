"""The CLI's subcommands, in one table that both entry points read.

``boligsag.__main__`` decides from it whether a command line is for the CLI or the
desktop application, and ``boligsag.cli`` builds its parser from it, so a new command
is reachable from ``boligsag`` as soon as it is listed here. Kept free of imports: the
desktop start reads it too and must stay quick.
"""

from __future__ import annotations

# name -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("boligsag.commands.init", "create a new encrypted database"),
    "demo": ("boligsag.commands.demo", "create a database full of synthetic demo data"),
    "check": ("boligsag.commands.check", "check cipher settings, integrity and schema version"),
    "passwd": ("boligsag.commands.passwd", "change a user's password"),
    "user": ("boligsag.commands.user", "manage staff accounts: add, list, reset-password, "
             "set-role, deactivate, reactivate"),
    "letter": ("boligsag.commands.letter", "render a referral's letter to a PDF file"),
    "referrals": ("boligsag.commands.referrals", "list referrals as CSV"),
    "summary": ("boligsag.commands.summary", "export a team-lead summary (XLSX, CSV or PDF)"),
    "backup": ("boligsag.commands.backup", "write a verified encrypted backup into a folder"),
    "restore": ("boligsag.commands.restore", "put a backup in the place of a database"),
    "access-log": ("boligsag.commands.access_log",
                   "write the access log (who saw or changed what) as CSV"),
    "rekey": ("boligsag.commands.rekey", "give the database a new key (rotation)"),
    "retention": ("boligsag.commands.retention",
                  "list or anonymise the people kept past the retention period"),
    "join": ("boligsag.commands.join", "make this computer's copy of a team server's data"),
    "sync": ("boligsag.commands.sync", "sync this computer's copy with its team server"),
    "server": ("boligsag.commands.server", "run the team server: init, run, add-user, "
               "set-password, disable-user, devices, revoke-device"),
}
