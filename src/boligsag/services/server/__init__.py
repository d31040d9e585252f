"""The team server's own services (issue 11): its accounts and devices (``accounts``),
logins and tokens (``login``). A package apart from the top-level services because it
builds on the sync engine (it logs the rows it changes itself, so laptops receive them),
and the sync engine builds on the top-level services (the audit chain)."""
