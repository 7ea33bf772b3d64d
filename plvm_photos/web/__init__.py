"""The local web gallery (``plvm-photos serve``): standard-library HTTP server, server-rendered HTML."""
