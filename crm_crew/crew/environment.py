"""Process settings that must be in place before crewai is imported."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path


def prepare_crewai_environment(home: Path) -> None:
    """No telemetry, no trace prompt, no writes under the user's home: crewai stays in our state folder."""
    os.environ.setdefault("CREWAI_DISABLE_TELEMETRY", "true")
    os.environ.setdefault("CREWAI_DISABLE_TRACKING", "true")
    os.environ.setdefault("CREWAI_TRACING_ENABLED", "false")
    os.environ.setdefault("OTEL_SDK_DISABLED", "true")
    # crewai joins this onto ~/.local/share unless it is absolute.
    storage = (home / "crewai").resolve()
    storage.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("CREWAI_STORAGE_DIR", str(storage))


# crewai's telemetry wraps these at import: Ctrl-C then ends the process with exit 0 when SIGINT was
# ignored, and Ctrl-Z (SIGTSTP) no longer stops it. Our own handling of them stands.
_KEPT_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTSTP", "SIGCONT") if hasattr(signal, name))


def import_crewai() -> None:
    """Import crewai (through our crew builder) and keep the process's signal handlers as they were."""
    if threading.current_thread() is not threading.main_thread():
        import crm_crew.crew.builder  # noqa: F401
        return
    saved = {sig: signal.getsignal(sig) for sig in _KEPT_SIGNALS}
    import crm_crew.crew.builder  # noqa: F401
    for sig, handler in saved.items():
        if handler is not None:
            signal.signal(sig, handler)
