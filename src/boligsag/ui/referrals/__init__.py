"""Referrals (henvisninger): the lazy list model, the details pane, the dialogs for a
new referral and a status step, and the start page's reminder panel."""
