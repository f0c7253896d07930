"""The command table and the dispatcher.

Each module here declares one family of commands (strings, keys, server, ...) with the
decorators of ``registry``; importing this package imports every module, which fills
``registry.TABLE``. Modules are found by listing the package, so adding a family means adding
a file, nothing else.
"""

import importlib
import pkgutil

from .registry import TABLE

_SKIP = {"registry", "dispatch"}


def load_all() -> dict:
    for info in pkgutil.iter_modules(__path__):
        if info.name not in _SKIP and not info.name.startswith("_"):
            importlib.import_module(f"{__name__}.{info.name}")
    return TABLE
