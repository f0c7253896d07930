"""Lua scripting: the glue between the command table and an embedded Lua 5.1 (``lupa.lua51``).

``runtime`` owns the Lua states (one for EVAL scripts, one for FUNCTION libraries), the sandbox,
the ``redis`` API table and the reply conversions both ways; ``libs`` implements the libraries
Redis links into its Lua (cjson, cmsgpack, bit, struct) in Python; ``busy`` answers other
clients while a script runs past ``busy-reply-threshold`` and lets SCRIPT KILL / FUNCTION KILL /
SHUTDOWN NOSAVE through. The commands themselves (EVAL, SCRIPT, FUNCTION, FCALL...) live in
``commands/scripting.py``.
"""
