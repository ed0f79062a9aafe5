"""Throwaway Prometheus and Pushgateway servers on free loopback ports (Debian's `prometheus` and
`prometheus-pushgateway` packages), for tests: see crm_crew/testing/servers.py for the shared life cycle."""

from __future__ import annotations

import json
import shutil
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import yaml

from crm_crew.testing.servers import ServerUnavailable, _free_port, _Server

INSTALL_HINT = "install it with `apt-get install prometheus prometheus-pushgateway` (scripts/test.sh does)"
SCRAPE_INTERVAL = "1s"


def find_binary(name: str) -> Path:
    found = shutil.which(name) or next((str(p) for p in (Path("/usr/bin") / name, Path("/usr/local/bin") / name)
                                        if p.is_file()), None)
    if found is None:
        raise ServerUnavailable(f"{name} was not found in PATH, /usr/bin or /usr/local/bin: {INSTALL_HINT}")
    return Path(found)


def _ready(port: int, timeout: float) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/-/ready", timeout=timeout) as answer:
            return bool(answer.status == 200)
    except (urllib.error.URLError, OSError):
        return False


class PushgatewayServer(_Server):
    """`.url` is "http://127.0.0.1:PORT"."""

    name = "pushgateway"

    def __init__(self, work_dir: Path | None = None) -> None:
        super().__init__(work_dir)
        self._binary = find_binary("prometheus-pushgateway")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _command(self) -> list[str]:
        # Debian's build persists to /var/lib/prometheus/pushgateway.data by default: a new one starts empty
        assert self.dir is not None
        return [str(self._binary), f"--web.listen-address=127.0.0.1:{self.port}",
                f"--persistence.file={self.dir / 'pushgateway.data'}"]

    def _is_ours(self, timeout: float) -> bool:
        return _ready(self.port, timeout)


class PrometheusServer(_Server):
    """Scrapes `targets` ({job name: "host:port"}) every second, the Pushgateway's with honor_labels."""

    name = "prometheus"

    def __init__(self, targets: dict[str, str], work_dir: Path | None = None) -> None:
        super().__init__(work_dir)
        self._binary = find_binary("prometheus")
        self.targets = targets

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _prepare(self) -> None:
        assert self.dir is not None
        scrapes = [{"job_name": job, "honor_labels": job == "pushgateway", "static_configs": [{"targets": [target]}]}
                   for job, target in self.targets.items()]
        config = {"global": {"scrape_interval": SCRAPE_INTERVAL, "evaluation_interval": SCRAPE_INTERVAL},
                  "scrape_configs": scrapes}
        (self.dir / "prometheus.yml").write_text(yaml.safe_dump(config), encoding="utf-8")

    def _command(self) -> list[str]:
        assert self.dir is not None
        return [str(self._binary), f"--config.file={self.dir / 'prometheus.yml'}",
                f"--storage.tsdb.path={self.dir / 'data'}", f"--web.listen-address=127.0.0.1:{self.port}"]

    def _is_ours(self, timeout: float) -> bool:
        return _ready(self.port, timeout)

    def query(self, promql: str, timeout: float = 5.0) -> dict[str, Any]:
        """The `data` of /api/v1/query; a refused query raises ValueError with Prometheus's error text."""
        url = f"{self.url}/api/v1/query?{urllib.parse.urlencode({'query': promql})}"
        try:
            with urllib.request.urlopen(url, timeout=timeout) as answer:
                body = json.loads(answer.read())
        except urllib.error.HTTPError as exc:
            body = json.loads(exc.read() or b"{}")
        if body.get("status") != "success":
            raise ValueError(f"{promql}: {body.get('errorType')}: {body.get('error')}")
        return dict(body["data"])


def free_port() -> int:
    return _free_port()
