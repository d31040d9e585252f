"""Administration panels for issue 4: the municipal service catalogue and the
letterhead / reminder settings."""
