"""Consents (samtykke): the consent dialog, its details view with withdrawal and the
printed form, and the panel that lists a person's consents."""
