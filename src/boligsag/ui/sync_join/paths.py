"""Where a new team database is suggested: beside the database in use (or in the app's
data folder on a first run), named after the server's host so that joining the same
server again suggests the same file, which is how an interrupted join is resumed."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

SUFFIX = ".db"  # the app's database files end in .db (the wizard and --db use it too)
FALLBACK_NAME = "team"


def host_of(url: str) -> str:
    """The host of what was typed so far, or "" (no error: the field validates itself)."""
    text = url.strip()
    if "://" not in text:
        text = f"https://{text}"
    try:
        return (urlsplit(text).hostname or "").lower()
    except ValueError:
        return ""


def file_stem(url: str) -> str:
    """``boligsag.example.dk`` → ``boligsag.example.dk-team``; only characters every
    file system accepts."""
    host = re.sub(r"[^a-z0-9.-]+", "-", host_of(url)).strip(".-")
    return f"{host}-team" if host else FALLBACK_NAME


def suggested_path(folder: Path, url: str) -> Path:
    return Path(folder) / f"{file_stem(url)}{SUFFIX}"


def with_suffix(text: str) -> Path:
    """A typed path, given the database suffix when it has none."""
    path = Path(text.strip()).expanduser()
    return path if path.suffix else path.with_suffix(SUFFIX)
