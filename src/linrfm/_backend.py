"""Device and dtype resolution shared by every solver (no global state)."""

from __future__ import annotations

import numpy as np
import torch

_DTYPES = {
    None: torch.float64,
    "float64": torch.float64,
    "float32": torch.float32,
    np.float64: torch.float64,
    np.float32: torch.float32,
    torch.float64: torch.float64,
    torch.float32: torch.float32,
}


def resolve_device(device: str | torch.device | None) -> torch.device:
    """``None`` means CUDA when available, else CPU."""
    if device is None:
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(device)


def resolve_dtype(dtype: object) -> torch.dtype:
    """float64 by default; float32 allowed. Anything else is a ``ValueError``."""
    key = dtype
    if isinstance(dtype, np.dtype):
        key = dtype.type
    try:
        return _DTYPES[key]  # type: ignore[index]
    except (KeyError, TypeError):
        raise ValueError(f"dtype must be float64 or float32, got {dtype!r}") from None


def as_tensor(x: np.ndarray, device: torch.device, dtype: torch.dtype) -> torch.Tensor:
    return torch.as_tensor(np.ascontiguousarray(x), dtype=dtype, device=device)


def to_numpy(x: torch.Tensor) -> np.ndarray:
    return x.detach().to("cpu").numpy().copy()
