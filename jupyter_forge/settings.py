"""Every ``Forge`` setting, one traitlet each, with the help ``--help-all`` and the docs show.

Why apart from :mod:`.forge`: the settings are a quarter of the service's text and change
for different reasons (a new option, a new default) than its methods. ``Forge``
subclasses :class:`ForgeSettings`, so ``c.Forge.model = ...`` in
``jupyter_forge_config.py``, ``ipython_config.py`` and ``%config`` reach them as before.
A ``JUPYTER_FORGE_*`` variable only gives its trait a default (:mod:`.core.environment`).
"""

from __future__ import annotations

from traitlets import Bool, Dict, Enum, Float, Int, List, Unicode, default
from traitlets.config import LoggingConfigurable

from .core import environment
from .core.environment import from_env
from .core.library import DEFAULT_LIBRARY
from .llm.models import DEFAULT_MODEL


class ForgeSettings(LoggingConfigurable):
    """The settings of :class:`.forge.Forge` (configured as ``c.Forge.NAME``)."""

    model = Unicode(
        DEFAULT_MODEL,
        help="litellm model string or alias; `local-1.5b` (the default) is the embedded "
        "Qwen2.5-Coder-1.5B, `local` the smaller, faster 0.5B.",
    ).tag(config=True)
    aliases = Dict({}, help="Short names for models, e.g. {'fast': 'gpt-4o-mini'}.").tag(
        config=True
    )
    api_base = Unicode(
        None,
        allow_none=True,
        help="Base URL for OpenAI-compatible servers (vLLM, LM Studio...). Defaults to "
        "$JUPYTER_FORGE_API_BASE, else None (the provider's own address).",
    ).tag(config=True)
    library = Unicode(
        DEFAULT_LIBRARY, help="The project's tool library (new tools are saved here)."
    ).tag(config=True)
    user_library = Unicode(
        None,
        allow_none=True,
        help="Your personal library, searched after the project's. Defaults to "
        "$JUPYTER_FORGE_USER_LIBRARY, else ~/.local/share/jupyter_forge/tools (XDG); "
        "empty string: no personal library.",
    ).tag(config=True)
    shared_libraries = List(
        Unicode(),
        [],
        help="Read-only team libraries, searched last, in order (e.g. a shared folder).",
    ).tag(config=True)
    reuse_check = Bool(
        True,
        help="Before forging, look for an existing tool that already does what the request "
        "asks and offer it instead (%%forge --new skips the check).",
    ).tag(config=True)
    attempts = Int(
        5,
        help="Generations per forge, the first included (repair budget). 5: on HumanEval "
        "the 0.5B model passes 7 more of 164 problems than with 3, and only forges that "
        "keep failing use them.",
    ).tag(config=True)
    maker_model = Unicode(
        None,
        allow_none=True,
        help="Model that makes tools for the agent (None: Forge.model). LATM split: a stronger "
        "maker, a cheaper user.",
    ).tag(config=True)
    user_model = Unicode(
        None,
        allow_none=True,
        help="Model that calls tools in %%forge --agent / %forge ask (None: Forge.model).",
    ).tag(config=True)
    agent_top_k = Int(
        8, help="Library tools offered to the agent per task (the best matches, not all)."
    ).tag(config=True)
    agent_max_steps = Int(
        8, help="Model turns an agent run may take before it stops and says so."
    ).tag(config=True)
    approve = Enum(
        ["widget", "auto"],
        help="`widget`: a person approves in the notebook; `auto`: approve when samples pass "
        "(headless runs). Defaults to $JUPYTER_FORGE_APPROVE or `widget`.",
    ).tag(config=True)
    sample_timeout = Float(10.0, help="Wall-clock seconds per sample in the sandbox.").tag(
        config=True
    )
    sandbox_require = List(
        Unicode(),
        [],
        help="Sandbox layers validation must have, e.g. ['seccomp syscall filter', "
        "'Landlock filesystem allowlist']; without them it refuses to run.",
    ).tag(config=True)
    memory_mb = Int(1024, help="Address-space limit of the sandbox process, MiB.").tag(config=True)
    llm_timeout = Float(300.0, help="Seconds to wait for the model's answer.").tag(config=True)
    temperature = Float(0.0, help="Sampling temperature of the first attempt (0 = greedy).").tag(
        config=True
    )
    repair_temperature = Float(
        0.8,
        help="Sampling temperature of repair attempts: small models repeat themselves when greedy.",
    ).tag(config=True)
    max_tokens = Int(1024, help="Longest answer the model may write.").tag(config=True)
    word_checks = Bool(
        True,
        help="Before any code exists, ask the model (one extra call that sees only the request "
        "and samples) for checks of each rule the request states; they choose between "
        "candidates, steer repairs and are shown apart from your samples, never blocking "
        "approval on their own.",
    ).tag(config=True)
    word_checks_in_prompt = Bool(
        False,
        help="Show the checks from the words to the model in every ask (after your samples), "
        "not only in repairs. Off: with the embedded 1.5B model it halved the correct first "
        "answers on the DS benchmark (4 against 8 of 54; docs/benchmarks.md), since "
        "model-written checks can be wrong and bend the code toward them.",
    ).tag(config=True)
    repairs = Bool(
        True,
        help="After a failed answer, ask the model to repair it (told what failed) before "
        "starting over with fresh answers. Off: every later ask is a fresh answer to the "
        "first request.",
    ).tag(config=True)
    second_opinion = Bool(
        True,
        help="When a candidate passes the samples and every check from the words with "
        "attempts to spare, ask for one more and compare the two on probes: if both pass "
        "but answer differently, the tool is marked doubtful and the widget shows where. "
        "A candidate found only after failed answers stays green only if a second answer "
        "agrees (more are asked while attempts remain).",
    ).tag(config=True)
    hook = Bool(
        False,
        help="Offer to forge a function a cell calls but nobody defined (NameError hook). "
        "`%forge hook on|off` sets it and remembers it in jupyter_forge.json in the Jupyter "
        "config dir.",
    ).tag(config=True)
    track_calls = Bool(
        True,
        help="Count calls of saved tools (a wrapper adds well under 1 us per call) and store the "
        "counts in <library>/.forge_usage.sqlite, for %forge stats and retirement suggestions.",
    ).tag(config=True)
    usage_flush_seconds = Float(
        30.0, help="Seconds between writes of the call counts to the usage database."
    ).tag(config=True)
    model_keep_alive = Float(
        help="Seconds the local model server stays up with nothing to do (it holds 1.5-2.7 GB "
        "of RAM); the next forge starts it again. 0: stop it after each forge; -1: never. "
        "Defaults to $JUPYTER_FORGE_MODEL_KEEP_ALIVE (300, 5m, 1h...) or 300.",
    ).tag(config=True)

    @default("model_keep_alive")
    def _keep_alive_default(self) -> float:
        from .llm.local import keep_alive_from_env

        return keep_alive_from_env()

    @default("approve")
    def _approve_default(self) -> str:
        value = (from_env(environment.APPROVE) or "widget").lower()
        return value if value in ("widget", "auto") else "widget"

    @default("api_base")
    def _api_base_default(self) -> str | None:
        return from_env(environment.API_BASE)

    @default("user_library")
    def _user_library_default(self) -> str:
        from .core.libraries import user_library_dir

        return str(user_library_dir())

    def origin(self, name: str) -> str:
        """Where setting ``name``'s value came from, for messages: ``VARIABLE=value`` when
        an environment variable gave it its default, else ``Forge.name = value``."""
        value = getattr(self, name)
        variable = environment.for_trait(f"Forge.{name}")
        section = self.config.get("Forge") or {}
        if variable is not None and name not in section:
            raw = from_env(variable)
            if raw is not None:
                return f"{variable.name}={raw}"
        return f"Forge.{name} = {value!r}"
