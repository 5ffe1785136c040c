"""The daemon side of the socket (RUNTIME.md §7): frames in, engine requests out.

`protocol` holds the version 1 framing, paths and the blocking client (light enough for
`oj done` and `oj hook`); `server` the socket server; `methods` maps requests to the engine.
"""
