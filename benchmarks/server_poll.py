"""The panel's poll at 10,000 tools, through a real ``jupyter server`` on loopback.

Why: the Forge Tools panel polls GET tools every few seconds. The server once
read and trust-checked every notebook on each poll, on its event loop, so a poll
at 10,000 tools took seconds and held up every other request meanwhile. This
measures, against a ``jupyter server`` subprocess (token auth, the
jupyter_forge.server extension, a throwaway notary so the tools are trusted and
an empty catalog cache so the first scan is cold):

- cold scan: the first GET tools (catalog built, every notebook read once), and
  the latency of GET tools/NAME requests sent every 0.1 s meanwhile: the event
  loop must keep answering them (``max_ms`` is the longest wait);
- warm polls: GET tools latency (full 4-5 MB body, and with If-None-Match: 304),
  p50/p95 over ``--polls`` polls after ``--warmup``, one every ``--interval`` s
  (the background re-list behind a poll older than a second runs between them);
- with ``--compare-with REF``: the same against the server code of a git commit
  (``git archive``), fewer polls (an old poll read every notebook).

Target: warm GET tools p95 < 50 ms. The machine is shared: numbers are noisy.

    python -m benchmarks server-poll                        # 10,000 tools
    python -m benchmarks server-poll --compare-with 49e562c --compare-polls 3
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from jupyter_forge import __version__

from ._common import RESULTS, git_commit, machine_info, versions
from .library_scale import percentile, write_library
from .retrieval import load_set

ROOT = Path(__file__).parent.parent
TOOL: str = load_set()["tools"][0]["name"]  # write_library's first tool, in every library
DETAIL_EVERY = 0.1  # seconds between GET tools/NAME during the cold scan (a person clicking)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Server:
    """A ``jupyter server`` subprocess serving ``library``; ``code`` is put first on its path."""

    def __init__(self, work: Path, library: Path, notary: Path, code: Path) -> None:
        self.port, self.token = free_port(), secrets.token_hex(16)
        config = work / "config"
        config.mkdir(parents=True, exist_ok=True)
        settings = {
            "ServerApp": {"jpserver_extensions": {"jupyter_forge.server": True}},
            "Forge": {"library": str(library), "user_library": "", "shared_libraries": []},
        }
        (config / "jupyter_server_config.json").write_text(json.dumps(settings))
        cache = work / "cache"
        env = dict(
            os.environ,
            PYTHONPATH=os.pathsep.join([str(code), str(ROOT)]),
            JUPYTER_CONFIG_DIR=str(config),
            JUPYTER_DATA_DIR=str(notary),  # the notary that signed the tools: all trusted
            JUPYTER_RUNTIME_DIR=str(work / "runtime"),
            JUPYTER_FORGE_CACHE=str(cache),  # empty: the first scan is cold
        )
        command = [sys.executable, "-m", "jupyter_server", "--no-browser", "--ip=127.0.0.1"]
        command += [f"--port={self.port}", f"--IdentityProvider.token={self.token}"]
        command += [f"--ServerApp.root_dir={library.parent}", "--ServerApp.port_retries=0"]
        command += ["--allow-root"] if os.geteuid() == 0 else []
        self.log = (work / "server.log").open("w")
        # cwd: `python -m` puts it first on sys.path, before the code under test.
        self.proc = subprocess.Popen(
            command, env=env, cwd=work, stdout=self.log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                if self.get(self.connect(), "/api/status")[0] == 200:
                    return
            except OSError:
                pass
            if self.proc.poll() is not None:
                break
            time.sleep(0.5)
        self.stop()
        tail = Path(self.log.name).read_text(errors="replace")[-2000:]
        raise RuntimeError(f"jupyter server did not start:\n{tail}")

    def connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)

    def get(
        self, conn: http.client.HTTPConnection, path: str, headers: dict[str, str] | None = None
    ) -> tuple[int, float, bytes, dict[str, str]]:
        """(status, milliseconds until the whole body is read, body, headers)."""
        started = time.perf_counter()
        conn.request(
            "GET", path, headers={"Authorization": f"token {self.token}", **(headers or {})}
        )
        response = conn.getresponse()
        body = response.read()
        ms = (time.perf_counter() - started) * 1000
        return response.status, ms, body, dict(response.getheaders())

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


def summary(values: list[float]) -> dict[str, float | int]:
    return {
        "n": len(values),
        "p50_ms": statistics.median(values),
        "p95_ms": percentile(values, 0.95),
        "max_ms": max(values),
    }


def cold_scan(server: Server) -> dict[str, Any]:
    """The first GET tools, with GET tools/NAME sent back to back until it is answered."""
    done = threading.Event()
    first: dict[str, Any] = {}

    def poll() -> None:
        status, ms, body, _ = server.get(server.connect(), "/jupyter-forge/tools")
        first.update(status=status, ms=ms, tools=len(json.loads(body)["tools"]), bytes=len(body))
        done.set()

    thread = threading.Thread(target=poll)
    thread.start()
    time.sleep(0.2)  # the scan has started
    conn, during = server.connect(), []
    while not done.is_set():
        status, ms, _, _ = server.get(conn, f"/jupyter-forge/tools/{TOOL}")
        assert status == 200, status
        during.append(ms)
        time.sleep(DETAIL_EVERY)
    thread.join()
    idle = [server.get(conn, f"/jupyter-forge/tools/{TOOL}")[1] for _ in range(20)]
    return {
        "first_poll_ms": first["ms"],
        "tools": first["tools"],
        "body_mb": first["bytes"] / 2**20,
        "detail_during_scan": summary(during) if during else {"n": 0},
        "detail_idle": summary(idle),
    }


def warm_polls(server: Server, polls: int, warmup: int, interval: float) -> dict[str, Any]:
    conn = server.connect()
    etag = ""
    for _ in range(warmup):
        etag = server.get(conn, "/jupyter-forge/tools")[3].get("Etag", "")
    full, revalidated = [], []
    for _ in range(polls):
        time.sleep(interval)
        status, ms, _, _ = server.get(conn, "/jupyter-forge/tools")
        assert status == 200, status
        full.append(ms)
    for _ in range(polls if etag else 0):
        time.sleep(interval)
        status, ms, _, _ = server.get(conn, "/jupyter-forge/tools", {"If-None-Match": etag})
        assert status in (200, 304), status
        revalidated.append(ms)
    return {
        "full_body": summary(full),
        "if_none_match_304": summary(revalidated) if revalidated else None,
    }


def measure(
    work: Path, library: Path, notary: Path, code: Path, polls: int, warmup: int, interval: float
) -> dict[str, Any]:
    server = Server(work, library, notary, code)
    try:
        row = {"cold": cold_scan(server)}
        print(f"[{code}] cold {json.dumps(row['cold'])}", flush=True)
        row["warm"] = warm_polls(server, polls, warmup, interval)
        print(f"[{code}] warm {json.dumps(row['warm'])}", flush=True)
        return row
    finally:
        server.stop()


def old_code(ref: str, work: Path) -> Path:
    """The jupyter_forge package as it was at ``ref``, unpacked under ``work``."""
    target = work / f"code-{ref}"
    target.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "archive", ref, "jupyter_forge"], cwd=ROOT, capture_output=True, check=True
    )
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tools", type=int, default=10_000)
    parser.add_argument("--library", type=Path, help="reuse a library written by library_scale")
    parser.add_argument("--notary", type=Path, help="the notary dir that signed --library")
    parser.add_argument("--polls", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--interval", type=float, default=0.2, help="seconds between polls")
    parser.add_argument("--compare-with", metavar="REF", help="also measure this commit's server")
    parser.add_argument("--compare-polls", type=int, default=3)
    parser.add_argument("--out", type=Path, default=RESULTS / "server_poll.json")
    args = parser.parse_args(argv)
    commit = git_commit()
    with tempfile.TemporaryDirectory(prefix="server-poll-") as tmp:
        work = Path(tmp)
        library, notary = args.library, args.notary
        if library is None:
            library, notary = work / "lib" / "tools", work / "notary"
            started = time.perf_counter()
            write_library(library, args.tools, 0, notary)
            print(f"wrote {args.tools} tools in {time.perf_counter() - started:.0f} s", flush=True)
        elif notary is None:
            parser.error("--library needs --notary (the tools must be trusted)")
        tools = sum(1 for p in library.glob("*.ipynb"))
        rows = {"this": measure(work / "this", library, notary, ROOT, **_poll(args))}
        if args.compare_with:
            code = old_code(args.compare_with, work)
            few = {**_poll(args), "polls": args.compare_polls, "warmup": 1}
            rows[args.compare_with] = measure(work / "old", library, notary, code, **few)
    payload = {
        "benchmark": "server_poll",
        "jupyter_forge": __version__,
        "commit": commit,
        "machine": machine_info(),
        "versions": versions("jupyter_server", "tornado", "nbformat"),
        "command": "python -m benchmarks server-poll " + " ".join(argv or sys.argv[2:]),
        "tools": tools,
        "target": "warm GET tools p95 < 50 ms",
        "note": "shared 2-core machine running another benchmark, server under nice 19: noisy",
        "rows": rows,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(payload, indent=1) + "\n")
    print(f"results: {args.out}")
    return 0


def _poll(args: argparse.Namespace) -> dict[str, Any]:
    return {"polls": args.polls, "warmup": args.warmup, "interval": args.interval}


if __name__ == "__main__":
    raise SystemExit(main())
