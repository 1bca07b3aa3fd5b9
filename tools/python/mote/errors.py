"""The exceptions mote raises: one class per kind of failure, each carrying the
fields a caller can act on (never a bare RuntimeError)."""
from __future__ import annotations

from typing import Any, Sequence


class MoteError(Exception):
    """Base class of every mote failure."""

    def __init__(self, message: str, **fields: Any) -> None:
        super().__init__(message)
        self.message = message
        for key, value in fields.items():
            setattr(self, key, value)


class ConversionError(MoteError):
    """The model could not be converted (see the subclasses)."""


class UnsupportedOpError(ConversionError):
    """The model is valid but uses something mote cannot convert yet.

    Attributes: ``node`` (the node's name), ``op`` (its operator type) and
    ``reason``; ``node`` and ``op`` are empty when the failure is not at a node.
    """

    node: str = ""
    op: str = ""
    reason: str = ""


class InvalidModelError(ConversionError, ValueError):
    """The model or the calibration data is broken (wrong attribute, NaN
    weights, inconsistent shapes, unreadable file). Same fields as
    UnsupportedOpError."""

    node: str = ""
    op: str = ""
    reason: str = ""


class BudgetExceededError(ConversionError):
    """The converted model exceeds a budget given to convert().

    Attributes: ``budget`` (which: "arena", "flash (model file)", "compute",
    "stack on cortex-m4 ..."), ``actual`` and ``limit``.
    """

    budget: str = ""
    actual: int = 0
    limit: int = 0


class CorruptModelError(MoteError, ValueError):
    """A .mote file fails the runtime's verification (``status`` names the
    check: kCorruptFile, kTruncatedFile, kIntegrityMismatch, kBadAlignment)."""

    status: str = ""


class VersionMismatchError(MoteError):
    """The .mote file was written for another schema or runtime version."""

    status: str = ""


class UnsupportedInBuildError(MoteError):
    """The .mote file uses an operator this runtime build does not compile in."""

    status: str = ""


class ArenaTooSmallError(MoteError):
    """The arena given is smaller than the model needs: ``needed`` and
    ``given`` bytes."""

    needed: int = 0
    given: int = 0


class InputShapeError(MoteError, ValueError):
    """An input array does not fit the model's input: ``input`` (name),
    ``expected`` (the input's shape) and ``got`` (the array's shape)."""

    input: str = ""
    expected: Sequence[int] = ()
    got: Sequence[int] = ()


__all__ = [
    "MoteError", "ConversionError", "UnsupportedOpError", "InvalidModelError", "BudgetExceededError",
    "CorruptModelError", "VersionMismatchError", "UnsupportedInBuildError", "ArenaTooSmallError",
    "InputShapeError",
]
