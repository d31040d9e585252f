"""Synchronisation between laptops and the team server (issue 11).

The server's half lives here, as services over a Session (no HTTP, no Qt): the wire
format (``wire``: rows as JSON-able dicts and pushed changes back into rows), the
refusals (``errors``: :class:`BadBatch` → HTTP 400, :class:`Refused` → 403), and the
engine and scope rules built on them. Import the submodules directly; this package
imports nothing at load time so that each part can be used (and tested) on its own.
"""
