"""nginx for ``chain-tutor topology``: the compose deployment's template, run without Docker.

:func:`render` fills ``deploy/nginx/*.template`` with the ``${CT_*}``
values, as the nginx image's envsubst does in ``docker-compose.yml``, and
:func:`main_config` wraps them in an ``nginx.conf`` that keeps every file
(pid, temp folders, logs) inside one run folder, so that nginx runs as any
user beside other copies of itself.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from string import Template

from service.config import REPO_ROOT

TEMPLATE_DIR = REPO_ROOT / "deploy" / "nginx"
NGINX_CANDIDATES = ("/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/bin/nginx")


@dataclass(frozen=True)
class NginxSettings:
    """The values of the ``${CT_*}`` variables (see deploy/nginx/default.conf.template)."""

    listen: str
    upstreams: tuple[str, ...]  # host:port of each app instance
    rate_per_ip: int = 20
    burst: int = 40
    body_limit: str = "64k"

    def variables(self, conf_dir: Path, access_log: Path) -> dict[str, str]:
        servers = " ".join(f"server {address} max_fails=1 fail_timeout=5s;" for address in self.upstreams)
        return {
            "CT_LISTEN": self.listen, "CT_UPSTREAM_SERVERS": servers, "CT_RATE_PER_IP": str(self.rate_per_ip),
            "CT_RATE_BURST": str(self.burst), "CT_BODY_LIMIT": self.body_limit,
            "CT_ACCESS_LOG": str(access_log), "CT_CONF_DIR": str(conf_dir),
        }


def render(settings: NginxSettings, conf_dir: Path, access_log: Path) -> list[Path]:
    """Render every template into ``conf_dir`` (name without ``.template``); the files written.

    Only ``${CT_*}`` names are replaced; nginx's own ``$variables`` stay.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> files = render(NginxSettings("127.0.0.1:8080", ("127.0.0.1:8081",)), folder, folder / "a.log")
    >>> sorted(path.name for path in files)
    ['chain-tutor-proxy.inc', 'default.conf']
    >>> "server 127.0.0.1:8081" in (folder / "default.conf").read_text()
    True
    """
    conf_dir.mkdir(parents=True, exist_ok=True)
    variables = settings.variables(conf_dir, access_log)
    written = []
    for template in sorted(TEMPLATE_DIR.glob("*.template")):
        target = conf_dir / template.name.removesuffix(".template")
        target.write_text(Template(template.read_text()).safe_substitute(variables))
        written.append(target)
    return written


def main_config(run_dir: Path, conf_dir: Path) -> str:
    """An ``nginx.conf`` with everything under ``run_dir`` that includes the rendered ``default.conf``."""
    temp = run_dir / "nginx-temp"
    return f"""
worker_processes 1;
pid {run_dir / 'nginx.pid'};
error_log {run_dir / 'nginx-error.log'} warn;
events {{ worker_connections 4096; }}
http {{
    default_type application/octet-stream;
    client_body_temp_path {temp / 'body'};
    proxy_temp_path {temp / 'proxy'};
    fastcgi_temp_path {temp / 'fastcgi'};
    uwsgi_temp_path {temp / 'uwsgi'};
    scgi_temp_path {temp / 'scgi'};
    include {conf_dir / 'default.conf'};
}}
"""


def find_nginx() -> str | None:
    """The nginx binary (Debian's package puts it in /usr/sbin, often not on a user's PATH)."""
    found = shutil.which("nginx")
    if found:
        return found
    return next((path for path in NGINX_CANDIDATES if Path(path).is_file()), None)
