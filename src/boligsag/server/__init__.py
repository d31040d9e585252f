"""The team server's front-end (issue 11): its configuration folder and TLS files, the
Starlette application and the uvicorn runner. It calls the services only; everything a
request needs comes from ``secret.key`` and the database, so several instances can serve
one database side by side."""
