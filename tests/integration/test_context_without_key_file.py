"""An AppContext over a team server's database has no key file (``keys_path`` is None,
not a made-up path): what needs a key file says so in a clear message and changes
nothing, and what merely reads one (the one-time password, the audit log's anchor, the
anchor's flush at lock) does not apply there."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from boligsag.domain.enums import Role
from boligsag.i18n import tr_in
from boligsag.services import audit_check, staff, users
from boligsag.services.context import AppContext
from boligsag.services.errors import NoKeyFile
from boligsag.services.unlock import lock
from boligsag.storage import audit_anchor
from boligsag.storage.models import User


def test_a_server_context_has_no_key_file_and_says_so(
        postgresql_ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = postgresql_ctx
    assert ctx.keys_path is None
    with ctx.read() as unit:
        before = unit.session.scalar(select(func.count()).select_from(User))
    with pytest.raises(NoKeyFile) as refused:
        users.create_user(ctx, "mette", "Mette Holm", Role.STAFF, "mettes-lange-kodeord")
    assert "managed on the team server" in str(refused.value)
    assert tr_in("da", refused.value.source, **refused.value.params).startswith(
        "Denne database har ingen nøglefil")
    with pytest.raises(NoKeyFile):
        staff.reset_password(ctx, ctx.actor.user_id, "et-nyt-engangskodeord")
    with ctx.read() as unit:
        assert unit.session.scalar(select(func.count()).select_from(User)) == before

    assert users.password_change_required(ctx) is False
    report = audit_check.verify_audit_log(ctx)
    assert report.ok and report.not_checked
    assert audit_check.message_for(ctx, report) is None
    assert audit_check.summary_line(report, "en").startswith("not checked here")

    flushed: list[object] = []
    monkeypatch.setattr(audit_anchor, "flush", lambda path=None: flushed.append(path))
    lock(ctx)  # closes the database without flushing every key file's anchor
    assert flushed == []
