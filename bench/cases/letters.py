"""Rendering a referral letter (data + reportlab, in memory): < 200 ms (DESIGN.md §6)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from boligsag.domain.enums import ReferralKind, ReferralStatus
from boligsag.services.context import AppContext
from boligsag.services.letters import render_referral_letter
from boligsag.storage.models import Referral

from . import Case


def _sent_referral(ctx: AppContext) -> str:
    with ctx.read() as unit:
        return unit.session.scalars(
            select(Referral.uuid).where(Referral.status == ReferralStatus.SENT,
                                        Referral.kind == ReferralKind.REFERRAL,
                                        Referral.deleted_at.is_(None))
            .order_by(Referral.id.desc()).limit(1)).one()


def _render(ctx: AppContext, referral_uuid: Any) -> object:
    return render_referral_letter(ctx, referral_uuid).data


CASES = [Case("referral letter render", _render, 200, prepare=_sent_referral)]  # §6
