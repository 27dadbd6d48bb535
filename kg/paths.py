"""Where kg's files live: the one module that knows file-system layout (and writes a file
whole or not at all).

In a source checkout (or an editable install) the assets sit at the top of the repository;
a built wheel carries them inside the package as ``kg/_assets``.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent
_INSTALLED = _PACKAGE_DIR / "_assets"
_CHECKOUT = _PACKAGE_DIR.parent


def assets_dir() -> Path:
    """The folder that holds ``queries/``, ``shapes/``, ``ontology.ttl`` and friends."""
    if (_INSTALLED / "ontology.ttl").is_file():
        return _INSTALLED
    return _CHECKOUT


def queries_dir() -> Path:
    return assets_dir() / "queries"


def shapes_dir() -> Path:
    return assets_dir() / "shapes"


def ontology_file() -> Path:
    return assets_dir() / "ontology.ttl"


def jsonld_context_file() -> Path:
    return assets_dir() / "context.jsonld"


def sample_page() -> Path:
    """The bundled real API page (nine Commons questions to the DWP)."""
    return assets_dir() / "samples" / "answeredquestions-children-maintenance.json"


DEFAULT_STORE = Path("kg-store")


def cache_dir() -> Path:
    """Where kg keeps what it can work out again (compiled shapes): ``KG_CACHE_DIR``, else
    ``$XDG_CACHE_HOME/kg``, else ``~/.cache/kg``."""
    if os.environ.get("KG_CACHE_DIR"):
        return Path(os.environ["KG_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "kg"


def harvest_dir(store_path: Path) -> Path:
    """The folder a harvest keeps beside its store: ``kg-store`` → ``kg-store.harvest``."""
    return store_path.with_name(store_path.name + ".harvest")


def harvest_cache_dir(store_path: Path) -> Path:
    """Where a harvest into ``store_path`` keeps the pages it fetched, unless told otherwise."""
    return harvest_dir(store_path) / "cache"


def text_index_file(store_path: Path) -> Path:
    """The text index kept in the store's folder (:mod:`kg.text_index`)."""
    return store_path / "kg-text-index.sqlite"


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that it is either all there or not there at all."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
