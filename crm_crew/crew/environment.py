"""Process settings that must be in place before crewai is imported."""

from __future__ import annotations

import hashlib
import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

STORAGE_ENV = "CREWAI_STORAGE_DIR"


def prepare_crewai_environment(home: Path) -> None:
    """No telemetry, no trace prompt, no writes under the user's home or in the temp folder: crewai stays
    in our state folder (the first state folder a process names, like CREWAI_STORAGE_DIR)."""
    os.environ.setdefault("CREWAI_DISABLE_TELEMETRY", "true")
    os.environ.setdefault("CREWAI_DISABLE_TRACKING", "true")
    os.environ.setdefault("CREWAI_TRACING_ENABLED", "false")
    os.environ.setdefault("OTEL_SDK_DISABLED", "true")
    # crewai joins this onto ~/.local/share unless it is absolute.
    os.environ.setdefault(STORAGE_ENV, str((home / "crewai").resolve()))
    storage = Path(os.environ[STORAGE_ENV])
    storage.mkdir(parents=True, exist_ok=True)
    _redirect_crewai_files(storage)


def _redirect_crewai_files(storage: Path) -> None:
    """crewai (1.15) writes, even with tracing off and on import: its CLI settings under ~/.config/crewai, an
    encryption key under ~/.local/share/crewai/credentials, and `crewai:*.lock` files it never removes in the
    temp folder. Its own seams (a module default, a static method, a lock backend) point them into `storage`.
    tests/e2e/test_writes_stay_home.py fails if a crewai upgrade moves them."""
    from crewai_core import lock_store, settings, token_manager

    settings.DEFAULT_CONFIG_PATH = storage / "settings.json"

    def credentials_dir() -> Path:
        path = storage / "credentials"
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        return path

    token_manager.TokenManager._get_secure_storage_path = staticmethod(credentials_dir)  # type: ignore[method-assign]

    @contextmanager
    def lock(name: str, *, timeout: float = 120) -> Iterator[None]:
        import portalocker

        locks = storage / "locks"
        locks.mkdir(exist_ok=True)
        digest = hashlib.md5(name.encode(), usedforsecurity=False).hexdigest()
        with portalocker.Lock(str(locks / f"{digest}.lock"), timeout=timeout):
            yield

    lock_store.set_lock_backend(lock)


# crewai's telemetry wraps these at import: Ctrl-C then ends the process with exit 0 when SIGINT was
# ignored, and Ctrl-Z (SIGTSTP) no longer stops it. Our own handling of them stands.
_KEPT_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTSTP", "SIGCONT") if hasattr(signal, name))


def import_crewai() -> None:
    """Import crewai (through our crew builder) and keep the process's signal handlers as they were; with
    tracing on, its spans start listening to crewai's event bus."""
    from crm_crew.observability.tracing_crewai import listen_once_loaded

    if threading.current_thread() is not threading.main_thread():
        import crm_crew.crew.builder  # noqa: F401
        listen_once_loaded()
        return
    saved = {sig: signal.getsignal(sig) for sig in _KEPT_SIGNALS}
    import crm_crew.crew.builder  # noqa: F401
    for sig, handler in saved.items():
        if handler is not None:
            signal.signal(sig, handler)
    listen_once_loaded()
