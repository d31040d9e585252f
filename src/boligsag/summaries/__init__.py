"""Summary figures as plain values: what a summary covers (``filter``), its exact tables
(``model``) and the tables as they may be published (``published``, small counts hidden,
with the modules it builds on).

No database and no Qt here: the services compute these, the exports write them and the
screens show them, so all three read the same types without importing each other.
"""
