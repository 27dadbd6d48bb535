"""kg's wheel build hook: the converter's modules compiled with mypyc wherever they can be.

A wheel (``pip install .``) gets them compiled when the machine can build C extensions (a C
compiler and Python's headers); where it cannot, the build says so and kg is installed as
pure Python, which does the same, slower. An editable install (``pip install -e .``) is
never compiled: a compiled module would shadow the source beside it while it is edited.

The work is done by hatch-mypyc's hook, configured in ``pyproject.toml``; this one decides
whether it runs, and removes its build products from the source tree once the wheel holds
them. Environment variables:

* ``KG_PURE_PYTHON=1``: do not compile;
* ``KG_REQUIRE_COMPILED=1``: a failed compile fails the build (CI, benchmarks).
"""

from __future__ import annotations

import os
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

PURE = "KG_PURE_PYTHON"
REQUIRE = "KG_REQUIRE_COMPILED"


class CompiledConverterHook(BuildHookInterface):
    """Runs hatch-mypyc's hook for a wheel, falling back to pure Python if it fails."""

    #: hatch-mypyc's hook, while it has build products to clean up.
    _mypyc: Any = None

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable" or os.environ.get(PURE) == "1":
            return
        # Imported here: hatchling reads the hook's dependencies before they are installed.
        from hatch_mypyc.plugin import MypycBuildHook

        self._mypyc = MypycBuildHook(
            self.root,
            self.config,
            self.build_config,
            self.metadata,
            self.directory,
            self.target_name,
            self.app,
        )
        try:
            self._mypyc.initialize(version, build_data)
        except Exception as exc:
            self._mypyc.clean([version])
            self._mypyc = None
            if os.environ.get(REQUIRE) == "1":
                raise
            reason = (str(exc).strip().splitlines() or [type(exc).__name__])[-1]
            if len(reason) > 160:
                reason = reason[:159] + "…"
            self.app.display_warning(
                f"kg: the converter could not be compiled ({reason}); installing it as pure "
                f"Python, which does the same, slower. Set {PURE}=1 to skip the attempt."
            )

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        if self._mypyc is not None:
            self._mypyc.clean([version])
