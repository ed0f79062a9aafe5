"""A throwaway Dovecot IMAP server on free loopback ports (Debian's `dovecot-imapd`), for tests.

Its own config, mail store and passwd-file user in a temporary folder, TLS with a certificate made at
start-up (crm_crew.testing.tls): `imaps_port` speaks TLS from the start, `imap_port` offers STARTTLS and
refuses to log in without it. Unprivileged when run as a normal user; as root, its processes run as
Debian's dovecot/dovenull users. See crm_crew/testing/servers.py for the shared life cycle.
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import socket
from pathlib import Path

from crm_crew.testing.servers import ServerUnavailable, _free_port, _Server
from crm_crew.testing.tls import make_self_signed

INSTALL_HINT = "install it with `apt-get install dovecot-imapd` (scripts/test.sh does)"


def _dovecot_binary() -> Path:
    found = shutil.which("dovecot") or next((str(p) for p in (Path("/usr/sbin/dovecot"), Path("/usr/local/sbin/dovecot"))
                                             if p.is_file()), None)
    if found is None:
        raise ServerUnavailable(f"dovecot was not found in PATH or /usr/sbin: {INSTALL_HINT}")
    return Path(found)


class DovecotServer(_Server):
    """`.user` / `.password` log in; `.ca_file` is the certificate to trust; `.imaps_port` and `.imap_port`."""

    name = "dovecot"

    def __init__(self, user: str = "support", work_dir: Path | None = None) -> None:
        super().__init__(work_dir)
        self._binary = _dovecot_binary()
        self.user = user
        self.password = "pw-" + secrets.token_hex(8)
        self.imap_port = 0
        self._greeting = "crm-crew test dovecot " + secrets.token_hex(4)

    @property
    def imaps_port(self) -> int:
        return self.port

    @property
    def ca_file(self) -> Path:
        assert self.dir is not None
        return self.dir / "tls" / "cert.pem"

    def url(self, folder: str = "INBOX", starttls: bool = False) -> str:
        if starttls:
            return f"imap://{self.user}@127.0.0.1:{self.imap_port}/{folder}"
        return f"imaps://{self.user}@127.0.0.1:{self.imaps_port}/{folder}"

    def _accounts(self) -> tuple[str, str, str, int, int]:
        """(login user, internal user, group, mail uid, mail gid): the current user's unless root."""
        if os.getuid() != 0:
            me = pwd.getpwuid(os.getuid())
            return me.pw_name, me.pw_name, _group_name(me.pw_gid), me.pw_uid, me.pw_gid
        try:
            internal, login = pwd.getpwnam("dovecot"), pwd.getpwnam("dovenull")
        except KeyError:
            raise ServerUnavailable(f"dovecot's users (dovecot, dovenull) are missing: {INSTALL_HINT}") from None
        return login.pw_name, internal.pw_name, _group_name(internal.pw_gid), internal.pw_uid, internal.pw_gid

    def _prepare(self) -> None:
        assert self.dir is not None
        self.dir.chmod(0o755)                      # dovecot's own users walk into it when run as root
        make_self_signed(self.dir / "tls")
        login, internal, group, uid, gid = self._accounts()
        home = self.dir / "home" / self.user
        home.mkdir(parents=True)
        (self.dir / "home").chmod(0o755)
        if os.getuid() == 0:
            os.chown(home, uid, gid)
        (self.dir / "users").write_text(f"{self.user}:{{PLAIN}}{self.password}:{uid}:{gid}::{home}::\n",
                                        encoding="utf-8")
        (self.dir / "users").chmod(0o644)

    def _command(self) -> list[str]:
        assert self.dir is not None
        self.imap_port = _free_port()
        login, internal, group, uid, _ = self._accounts()
        config = f"""
base_dir = {self.dir}/run
state_dir = {self.dir}/state
log_path = {self.dir}/server.log
protocols = imap
listen = 127.0.0.1
login_greeting = {self._greeting}
default_login_user = {login}
default_internal_user = {internal}
default_internal_group = {group}
first_valid_uid = {min(uid, 500) if uid else 1}
ssl = yes
ssl_cert = <{self.dir}/tls/cert.pem
ssl_key = <{self.dir}/tls/key.pem
disable_plaintext_auth = yes
auth_mechanisms = plain login
mail_location = maildir:~/Maildir
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {self.dir}/users
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {self.dir}/users
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.imap_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {self.port}
    ssl = yes
  }}
}}
namespace inbox {{
  inbox = yes
  mailbox Processed {{
    auto = create
  }}
  mailbox Drafts {{
    auto = create
    special_use = \\Drafts
  }}
}}
"""
        (self.dir / "dovecot.conf").write_text(config, encoding="utf-8")
        return [str(self._binary), "-F", "-c", str(self.dir / "dovecot.conf")]

    def _is_ours(self, timeout: float) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.imap_port), timeout=timeout) as sock:
                sock.settimeout(timeout)
                return self._greeting.encode() in sock.recv(1024)
        except OSError:
            return False


def _group_name(gid: int) -> str:
    import grp

    return grp.getgrgid(gid).gr_name
