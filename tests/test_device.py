"""blogkit.device: CUDA when present, CPU otherwise, forced by BLOGKIT_DEVICE."""

from __future__ import annotations

import pytest
import torch

from blogkit import device


def test_default_follows_cuda_availability(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(device.ENV_VAR, raising=False)
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert device.default_device().type == expected


def test_env_forces_cpu(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(device.ENV_VAR, "cpu")
    assert device.default_device() == torch.device("cpu")
    assert device.device_kind() == "cpu"


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_forcing_missing_cuda_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(device.ENV_VAR, "cuda")
    with pytest.raises(RuntimeError, match="no CUDA"):
        device.default_device()


def test_unknown_device_is_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(device.ENV_VAR, "meta")
    with pytest.raises(ValueError, match="BLOGKIT_DEVICE"):
        device.default_device()
