"""Synchronisation between laptops and the team server (issue 11).

The server's half lives here, as services over a Session (no HTTP, no Qt):
``wire`` turns rows into the JSON-able wire format and applies pushed changes,
``errors`` holds the refusals (:class:`BadBatch` → HTTP 400, :class:`Refused` → 403).
Import the submodules directly; this package imports nothing at load time so that each
part can be used (and tested) on its own.
"""
