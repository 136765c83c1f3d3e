"""Choice of compute device for the executable posts.

CUDA is used when a CUDA GPU is visible, the CPU otherwise. The environment variable
``BLOGKIT_DEVICE`` forces one (``cpu``, ``cuda`` or ``cuda:N``); asking for CUDA where there is
none is an error rather than a silent fallback, so a GPU publishing run cannot quietly turn
into a CPU one.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # torch is imported lazily: choosing a device must not cost an import
    import torch

__all__ = ["ENV_VAR", "default_device", "device_kind"]

ENV_VAR = "BLOGKIT_DEVICE"


def default_device() -> torch.device:
    """Return the device posts compute on: ``$BLOGKIT_DEVICE`` if set, else CUDA if present."""
    import torch

    forced = os.environ.get(ENV_VAR, "").strip().lower()
    if forced:
        dev = torch.device(forced)
        if dev.type == "cuda" and not torch.cuda.is_available():
            raise RuntimeError(f"{ENV_VAR}={forced!r} but torch sees no CUDA device")
        if dev.type not in {"cpu", "cuda"}:
            raise ValueError(f"{ENV_VAR} must be 'cpu' or 'cuda[:N]', got {forced!r}")
        return dev
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def device_kind() -> str:
    """A short human-readable name of the device: ``cpu`` or ``cuda (NVIDIA H100 ...)``."""
    import torch

    dev = default_device()
    if dev.type == "cuda":
        return f"cuda ({torch.cuda.get_device_name(dev)})"
    return "cpu"
