"""Drive a real Jupyter kernel the way a front end does: execute, read iopub, click widgets."""

from __future__ import annotations

import queue
import time
from dataclasses import dataclass, field
from typing import Any

from jupyter_client.manager import KernelManager, start_new_kernel


@dataclass
class Execution:
    reply: dict[str, Any]
    messages: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.reply["content"]["status"] == "ok"

    def texts(self) -> list[str]:
        out = []
        for msg in self.messages:
            content = msg["content"]
            if msg["msg_type"] == "stream":
                out.append(content["text"])
            elif msg["msg_type"] in ("display_data", "update_display_data", "execute_result"):
                out.append(content["data"].get("text/plain", ""))
            elif msg["msg_type"] == "error":
                out.append(f"{content['ename']}: {content['evalue']}")
        return out


class KernelDriver:
    def __init__(self, env: dict[str, str] | None = None, cwd: str | None = None) -> None:
        kwargs: dict[str, Any] = {"kernel_name": "python3"}
        if env is not None:
            kwargs["env"] = env
        if cwd is not None:
            kwargs["cwd"] = cwd
        self.km: KernelManager
        self.km, self.kc = start_new_kernel(startup_timeout=120, **kwargs)
        self.comms: dict[str, dict[str, Any]] = {}

    def close(self) -> None:
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)

    def _drain_iopub(
        self, parent_id: str | None, until_idle: bool, timeout: float
    ) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                msg = self.kc.get_iopub_msg(timeout=0.5)
            except queue.Empty:
                if not until_idle:
                    break
                continue
            if msg["msg_type"] == "comm_open":
                self.comms[msg["content"]["comm_id"]] = msg["content"]["data"].get("state", {})
            if msg["msg_type"] == "comm_msg":
                data = msg["content"]["data"]
                if data.get("method") == "update":
                    self.comms.setdefault(msg["content"]["comm_id"], {}).update(
                        data.get("state", {})
                    )
            if parent_id is None or msg["parent_header"].get("msg_id") == parent_id:
                messages.append(msg)
                if (
                    until_idle
                    and msg["msg_type"] == "status"
                    and msg["content"]["execution_state"] == "idle"
                ):
                    return messages
        if until_idle:
            raise TimeoutError(f"kernel did not go idle within {timeout} s")
        return messages

    def execute(
        self, code: str, timeout: float = 600, metadata: dict[str, Any] | None = None
    ) -> Execution:
        """Run ``code``; ``metadata`` rides on the execute_request as a front end's would."""
        if metadata is None:
            msg_id = self.kc.execute(code)
        else:
            content = {
                "code": code,
                "silent": False,
                "store_history": True,
                "user_expressions": {},
                "allow_stdin": False,
                "stop_on_error": True,
            }
            msg = self.kc.session.msg("execute_request", content, metadata=metadata)
            self.kc.shell_channel.send(msg)
            msg_id = msg["header"]["msg_id"]
        messages = self._drain_iopub(msg_id, until_idle=True, timeout=timeout)
        reply = self.kc.get_shell_msg(timeout=timeout)
        while reply["parent_header"].get("msg_id") != msg_id:
            reply = self.kc.get_shell_msg(timeout=timeout)
        return Execution(reply, messages)

    def find_button(self, description: str) -> str:
        for comm_id, state in reversed(list(self.comms.items())):
            if (
                state.get("_model_name") == "ButtonModel"
                and state.get("description") == description
            ):
                return comm_id
        raise LookupError(f"no button {description!r} among {len(self.comms)} widget models")

    def click(self, comm_id: str, wait: float = 30) -> list[dict[str, Any]]:
        """Send the click a browser sends, and collect what the kernel says back."""
        content = {"comm_id": comm_id, "data": {"method": "custom", "content": {"event": "click"}}}
        msg = self.kc.session.msg("comm_msg", content)
        self.kc.shell_channel.send(msg)
        return self._drain_iopub(msg["header"]["msg_id"], until_idle=True, timeout=wait)

    def widget_texts(self) -> list[str]:
        return [
            str(state.get("value", ""))
            for state in self.comms.values()
            if state.get("_model_name") == "HTMLModel"
        ]
