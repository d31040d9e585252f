"""A laptop's side of the team server's HTTP API (issue 12): the pinned HTTPS
connection (transport.py), its refusals (errors.py) and what the laptop's encrypted
database keeps of its server (server_link.py). No sync logic and no UI here."""
