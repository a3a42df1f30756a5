"""A private Dovecot IMAP server for tests: own config, own port, own maildirs, no TLS.

Dovecot is started in the foreground (`dovecot -F -c <conf>`) as a child of the test run and
terminated at the end. As root (the sandbox and CI), its login processes must not be root,
so they run as Debian's `dovenull`/`dovecot` users and mail is stored as `nobody`.

Every user name logs in with the server's one password (a static passdb) and gets its own
maildir, so each test takes a fresh account without touching the server. A passwd-file
would need a reload per new account: Dovecot notices its changes only at one-second mtime
granularity.
"""
from __future__ import annotations

import imaplib
import grp
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class ImapAccount:
    host: str
    port: int
    user: str
    password: str

    def connect(self) -> imaplib.IMAP4:
        conn = imaplib.IMAP4(self.host, self.port, timeout=10)
        conn.login(self.user, self.password)
        return conn

    def append(self, raw: bytes, folder: str = "INBOX", flags: str = "") -> int:
        """Deliver a message by IMAP APPEND; its UID (RFC 4315 APPENDUID)."""
        conn = self.connect()
        try:
            conn.create(f'"{folder}"')
            typ, data = conn.append(f'"{folder}"', f"({flags})" if flags else None, None, raw)
            assert typ == "OK", data
            return int(data[0].split(b"APPENDUID ")[1].split()[1].rstrip(b"]"))
        finally:
            conn.logout()

    def flags(self, folder: str = "INBOX") -> dict[int, set[str]]:
        """UID -> flags of every message in a folder."""
        conn = self.connect()
        try:
            typ, _ = conn.select(f'"{folder}"', readonly=True)
            if typ != "OK":
                return {}
            typ, data = conn.uid("FETCH", "1:*", "(UID FLAGS)")
            result: dict[int, set[str]] = {}
            for line in data:
                if not isinstance(line, bytes):
                    continue
                parts = imaplib.ParseFlags(line)
                uid = int(line.split(b"UID ")[1].split()[0].rstrip(b")"))
                result[uid] = {f.decode() for f in parts}
            return result
        finally:
            conn.logout()


@dataclass
class DovecotServer:
    binary: str
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="neurodesk-dovecot-")))
    port: int = field(default_factory=free_port)
    password: str = field(default_factory=lambda: uuid.uuid4().hex)
    process: subprocess.Popen | None = None

    @property
    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def _config(self) -> str:
        as_root = os.geteuid() == 0
        me = pwd.getpwuid(os.geteuid()).pw_name
        if as_root:
            mail_user = pwd.getpwnam("nobody")
            uid, gid = mail_user.pw_uid, mail_user.pw_gid
            login_user, internal_user = "dovenull", "dovecot"
        else:
            uid, gid = os.geteuid(), os.getegid()
            login_user = internal_user = me
        # Unprivileged, Dovecot can neither chroot its login processes nor hand sockets to
        # the "dovecot" group, so everything runs as the current user and group.
        unprivileged = "" if as_root else f"""
default_internal_group = {grp.getgrgid(os.getegid()).gr_name}
service imap-login {{
  chroot =
}}"""
        return f"""
protocols = imap
listen = 127.0.0.1
base_dir = {self.root}/run
state_dir = {self.root}/state
log_path = {self.root}/dovecot.log
info_log_path = {self.root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
# Tests log in wrongly on purpose: no delay after a failure, and no growing penalty for
# 127.0.0.1 (Dovecot disables it when the anvil-auth-penalty socket is unusable).
auth_failure_delay = 0
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
default_login_user = {login_user}
default_internal_user = {internal_user}
mail_location = maildir:~/Maildir
passdb {{
  driver = static
  args = password={self.password}
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={self.root}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
{unprivileged}
"""

    def start(self, timeout: float = 20.0) -> None:
        for sub in ("run", "state", "home"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        # Mail processes run as the mail user and must reach their home through the tree.
        self.root.chmod(0o711)
        if os.geteuid() == 0:
            nobody = pwd.getpwnam("nobody")
            os.chown(self.root / "home", nobody.pw_uid, nobody.pw_gid)
        (self.root / "dovecot.conf").write_text(self._config())
        self.process = subprocess.Popen(
            [self.binary, "-F", "-c", str(self.root / "dovecot.conf")],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"dovecot exited with {self.process.returncode}:\n{self.log}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                    if sock.recv(64).startswith(b"* OK"):
                        return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"dovecot did not answer on port {self.port} within {timeout}s:\n{self.log}")

    def add_account(self) -> ImapAccount:
        """A fresh user with an empty mailbox: tests share the server, never a mailbox."""
        return ImapAccount("127.0.0.1", self.port, f"surgeon-{uuid.uuid4().hex[:10]}", self.password)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.process = None
        shutil.rmtree(self.root, ignore_errors=True)
