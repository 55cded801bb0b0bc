"""Settings: Gradio's own GRADIO_SERVER_PORT/NAME work as defaults, QA_APP__* wins, unknown keys are refused."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from core.settings import Settings


def test_gradio_variables_are_defaults_and_ours_win(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("QA_APP__PORT", raising=False)
    monkeypatch.delenv("QA_APP__HOST", raising=False)
    monkeypatch.setenv("GRADIO_SERVER_PORT", "7999")
    monkeypatch.setenv("GRADIO_SERVER_NAME", "0.0.0.0")
    assert (Settings().app.port, Settings().app.host) == (7999, "0.0.0.0")
    monkeypatch.setenv("QA_APP__PORT", "7001")
    assert Settings().app.port == 7001


def test_default_is_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("QA_APP__PORT", "QA_APP__HOST", "GRADIO_SERVER_PORT", "GRADIO_SERVER_NAME"):
        monkeypatch.delenv(var, raising=False)
    assert (Settings().app.host, Settings().app.port) == ("127.0.0.1", 7860)


def test_unknown_setting_is_refused() -> None:
    with pytest.raises(ValidationError):
        Settings(no_such_section={"x": 1})  # type: ignore[call-arg]
