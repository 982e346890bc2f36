"""The two product pieces the HumanEval run drives: a replaying Forge and a real library.

Why: the reuse condition must exercise the product's own retrieval (signed
notebooks, BM25 search, best_match), and identical greedy requests need not be
generated twice on a 2-core machine; both are small adapters kept out of the
run driver.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from jupyter_forge.core.libraries import LibraryLocation, LibrarySet
from jupyter_forge.core.prompt import Message
from jupyter_forge.core.repair import Reply
from jupyter_forge.core.result import ForgeResult
from jupyter_forge.core.schema import function_schema, signature_text
from jupyter_forge.core.search import Hit
from jupyter_forge.core.spec import ForgeSpec
from jupyter_forge.forge import Forge, first_line
from jupyter_forge.llm.models import ResolvedModel


class ReplayForge(Forge):
    """A Forge that generates each identical request once per problem and replays it.

    Why: ``single`` and the forge's first attempt send the same messages with the
    same greedy decoding and seed, so llama.cpp answers identically; on a shared
    2-core machine generating it twice doubles the cost of the run for nothing. A
    replayed reply keeps its original tokens and seconds, and ``replayed`` adds
    those seconds back to the condition's wall time, so no condition looks cheaper.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.cache: dict[str, Reply] = {}
        self.replayed = 0.0  # LLM seconds of replies served from the cache
        self.pinned: ResolvedModel | None = None  # a PrivateServer's model, when running one

    def resolve(
        self, model: str | None = None, *, progress: Callable[[str], None] | None = None
    ) -> ResolvedModel:
        if self.pinned is not None and (model is None or model == self.pinned.name):
            return self.pinned
        return super().resolve(model, progress=progress)

    def generator(
        self,
        resolved: ResolvedModel,
        *,
        temperature: float | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> Callable[[Sequence[Message], int, Callable[[str], None]], Reply]:
        generate = super().generator(resolved, temperature=temperature, progress=progress)

        def cached(
            messages: Sequence[Message], attempt: int, on_token: Callable[[str], None]
        ) -> Reply:
            key = json.dumps([resolved.litellm_model, temperature, attempt, list(messages)])
            reply = self.cache.get(key)
            if reply is None:
                reply = self.cache[key] = generate(messages, attempt, on_token)
            else:
                self.replayed += reply.seconds
            return reply

        return cached


class ReuseLibrary:
    """A real tool library in a temporary folder, searched the way ``%%forge`` searches.

    Why: reuse is only worth reporting if it is the product's own retrieval: tools
    are saved as signed notebooks (``Library.save``, as ``Forge.save`` does) and
    found through ``LibrarySet.index()`` (BM25 + ``best_match``), not by name.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        notary = root / "notary"
        notary.mkdir(parents=True, exist_ok=True)
        # A private notary: benchmark tools never land in the user's trust database.
        self.libs = LibrarySet([LibraryLocation(root / "tools", "project")], notary_dir=str(notary))

    def __len__(self) -> int:
        return len(self.libs.entries())

    def best_match(self, spec: ForgeSpec, forge: Forge) -> tuple[Hit | None, str | None]:
        """What ``%%forge`` asks before generating (``Forge.reuse_match``, the product's
        own decision): the hit search found and, when it would not be offered, why not."""
        match = forge.reuse_match(spec, self.libs)
        return (match.hit, match.refusal) if match is not None else (None, None)

    def context(self, spec: ForgeSpec, k: int) -> list[Hit]:
        """The top-``k`` search hits for the request (the tool itself excluded)."""
        if k <= 0:
            return []
        hits = self.libs.index().search(spec.request, k=k + 1)
        return [h for h in hits if h.name != spec.name][:k]

    def code(self, name: str) -> str:
        return self.libs.find(name).code

    def save(self, result: ForgeResult, spec: ForgeSpec) -> None:
        """Store a passing tool under the user's request (not the harness's added context)."""
        code = result.code
        if code is None:
            return
        schema = result.schema or function_schema(code, spec.name)
        self.libs.primary.save(
            name=spec.name,
            code=code,
            description=schema["function"]["description"] or first_line(spec.request),
            signature=signature_text(code, spec.name),
            request=spec.request,
            model=result.model,
            model_id=result.model_id,
            samples=spec.samples,
            schema=schema,
            validation=result.report.to_json() if result.report else None,
            requirements=result.requirements,
            findings=result.findings,
            approved_how="auto",
        )


def calls_of(names: Iterable[str], code: str | None) -> list[str]:
    """Which of ``names`` the code calls (``name(``, not a substring of a longer name)."""
    return [n for n in names if re.search(rf"(?<![\w.]){re.escape(n)}\(", code or "")]


class PrivateServer:
    """The embedded model served by a llama.cpp server only this run talks to.

    Why: the product shares one server per model between every process on the
    machine; another process's requests then queue between ours and evict
    llama.cpp's prompt cache, which makes per-problem times meaningless. Same
    GGUF, context size and server as the product's (jupyter_forge.llm.local);
    ``threads`` below the CPU count keeps llama.cpp fast on a busy machine
    (its threads wait for each other, so one preempted thread stalls them all).
    """

    def __init__(self, model: str, threads: int, log: Path) -> None:
        from jupyter_forge.llm import local

        spec = local.resolve_local(model)
        if spec is None:
            raise SystemExit(
                f"--server-threads needs a local model (local, local-1.5b), not {model}"
            )
        self.model, self.spec, self.threads, self.log = model, spec, threads, log
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> ResolvedModel:
        from jupyter_forge.llm import local

        gguf = local.pull(self.spec)
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        cmd = [
            sys.executable, "-m", "llama_cpp.server", "--model", str(gguf),
            "--host", "127.0.0.1", "--port", str(port), "--n_ctx", str(local.N_CTX),
            "--model_alias", self.spec.alias, "--n_threads", str(self.threads),
            "--interrupt_requests", "False",
        ]  # fmt: skip
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log, "wb") as out:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=out)
        api_base = f"http://127.0.0.1:{port}/v1"
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"the private model server exited; see {self.log}")
            try:
                with urllib.request.urlopen(f"{api_base}/models", timeout=2):
                    break
            except OSError:
                time.sleep(0.5)
        else:
            self.__exit__()
            raise SystemExit(f"the private model server was not ready in 180 s; see {self.log}")
        return ResolvedModel(self.model, f"openai/{self.spec.alias}", api_base, "none", local=True)

    def __exit__(self, *_exc: object) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def info(self) -> dict[str, Any]:
        return {"private": True, "n_threads": self.threads, "pid": os.getpid()}
