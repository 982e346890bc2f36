"""``jupyter-forge sandbox check``: try a short list of attacks and say what stopped them.

Each attack is a candidate "tool" whose sample returns ``'escaped'`` only if the
attack worked. The host prepares the bait (a secret in the environment, a secret
file, a listening socket, a folder to write into) and judges the outcome itself.
The full red-team suite is ``tests/security``; this is the quick check for a machine.
"""

from __future__ import annotations

import os
import socket
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..core.environment import CHECK_SECRET
from ..core.spec import Sample
from .jobs import validate
from .limits import Limits

SECRET = "jupyter-forge-check-secret-4f1d"


@dataclass(frozen=True)
class Outcome:
    attack: str
    blocked: bool
    detail: str


def _attack(body: str) -> str:
    indented = "\n".join("        " + line for line in body.strip().split("\n"))
    return (
        "def attack() -> str:\n"
        '    """Try one thing; say whether it worked."""\n'
        "    try:\n"
        f"{indented}\n"
        "    except BaseException as exc:\n"
        "        return 'blocked: ' + type(exc).__name__\n"
    )


@dataclass(frozen=True)
class _Bait:
    """What an escape would reach: a secret file, a file to create, a listening port."""

    secret_file: Path
    target: Path
    listener: socket.socket

    @property
    def port(self) -> int:
        return int(self.listener.getsockname()[1])


def run_checks() -> list[Outcome]:
    """Run each attack once in the sandbox, with bait the host controls."""
    with tempfile.TemporaryDirectory(prefix="forge-check-") as bait_dir:
        secret_file = Path(bait_dir) / "secret.txt"
        secret_file.write_text(SECRET)
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        listener.setblocking(False)
        bait = _Bait(secret_file, Path(bait_dir) / "written-by-sandbox.txt", listener)
        os.environ[CHECK_SECRET.name] = SECRET  # the bait an escape would find
        try:
            return [_try(name, body, bait) for name, body in _attacks(bait).items()]
        finally:
            os.environ.pop(CHECK_SECRET.name, None)
            listener.close()


def _attacks(bait: _Bait) -> dict[str, str]:
    """Each attack's body, returning 'escaped' only if it worked."""
    return {
        "read an API key from the environment": (
            f"import os\nreturn 'escaped' if os.environ.get({CHECK_SECRET.name!r}) else 'blocked'"
        ),
        "read a file outside the scratch dir": (
            f"return 'escaped' if {SECRET!r} in open({str(bait.secret_file)!r}).read() "
            "else 'blocked'"
        ),
        "write a file outside the scratch dir": (
            f"open({str(bait.target)!r}, 'w').write('x')\nreturn 'escaped'"
        ),
        "connect to a local port": (
            f"import socket\nsocket.create_connection(('127.0.0.1', {bait.port}), timeout=2)\n"
            "return 'escaped'"
        ),
        "run a shell command (os.system)": (
            "import os\nreturn 'escaped' if os.system('true') == 0 else 'blocked'"
        ),
        "start a process (subprocess)": (
            "import subprocess\nsubprocess.run(['true'], check=True)\nreturn 'escaped'"
        ),
        "fork": "import os\npid = os.fork()\nif pid == 0:\n    os._exit(0)\nreturn 'escaped'",
        "allocate 4 GiB": "data = bytearray(4 * 1024**3)\nreturn 'escaped'",
        "loop forever": "while True:\n    pass",
    }


def _try(name: str, body: str, bait: _Bait) -> Outcome:
    """Run one attack; the host judges it too (a file written, a connection accepted)."""
    report = validate(
        _attack(body),
        "attack",
        [Sample("attack()", "example", "'blocked'\n")],
        limits=Limits(timeout=3.0, load_timeout=5.0),
    )
    first = report.results[0] if report.results else None
    got = (first.got or first.error or "") if first is not None else ""
    escaped = "escaped" in got
    if name.startswith("write") and bait.target.exists():
        escaped = True
    if name.startswith("connect"):
        try:
            bait.listener.accept()[0].close()
            escaped = True
        except BlockingIOError:
            pass
    detail = got.strip() or (first.error if first is not None else "") or ""
    return Outcome(name, not escaped, detail[:70])
