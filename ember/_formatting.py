"""Tensor repr formatting, matching ``repr(torch.Tensor)`` character for character.

This module is deliberately self-contained (NumPy, optional ml_dtypes and the
standard library only) so the core ``Tensor.__repr__`` can delegate to it and it
can be tested in isolation.

Public API
----------
format_tensor(values, *, dtype_name, default_dtype_name="float32",
              requires_grad=False, grad_fn_name=None, device=None) -> str
set_printoptions(precision=None, threshold=None, edgeitems=None,
                 linewidth=None, profile=None, sci_mode=None)
get_printoptions() -> dict
printoptions(**kwargs)  (context manager)

Outline of the rules implemented here
-------------------------------------
* Tensors with more than ``threshold`` elements are summarised: along every
  dimension only the first and last ``edgeitems`` entries are shown, the gap
  marked with ``...``.
* A single element formatter is built from the (summarised) data and shared by
  every element so columns line up.  For floating dtypes it looks only at the
  finite, nonzero values:
    - "integer mode" when all of them are whole numbers (printed as ``3.``),
    - scientific notation when max|x|/min|x| > 1000, max|x| > 1e8 or
      min|x| < 1e-4 (unless forced by the ``sci_mode`` print option),
    - otherwise fixed-point with ``precision`` decimals.
  nan/inf do not take part in choosing the column width.
  Complex tensors get one such formatter for the real parts and one for the
  imaginary parts; an element prints as ``re+imj``.
* Rows are wrapped so they fit in ``linewidth`` columns, taking the
  ``tensor(`` prefix and nesting depth into account.
* Suffixes (device, size, dtype, grad_fn / requires_grad) are appended, each
  going to a new line when it would overflow ``linewidth``.
"""

from __future__ import annotations

import contextlib
import math
from typing import Any, Dict, List, Optional

import numpy as np

# bfloat16 data arrives as ml_dtypes.bfloat16 arrays; NumPy can already cast
# those to float64 (ml_dtypes registers the casts when it is imported by
# whoever created the array), so no import of ml_dtypes is needed here.

__all__ = ["format_tensor", "set_printoptions", "get_printoptions", "printoptions"]


# --------------------------------------------------------------------------
# print options
# --------------------------------------------------------------------------

class _Options:
    __slots__ = ("precision", "threshold", "edgeitems", "linewidth", "sci_mode")

    def __init__(self) -> None:
        self.precision = 4
        self.threshold = 1000
        self.edgeitems = 3
        self.linewidth = 80
        self.sci_mode = None


_OPTS = _Options()

# (precision, threshold, edgeitems, linewidth) for each named profile
_PROFILES = {
    "default": (4, 1000, 3, 80),
    "short": (2, 1000, 2, 80),
    "full": (4, math.inf, 3, 80),
}


def set_printoptions(
    precision=None,
    threshold=None,
    edgeitems=None,
    linewidth=None,
    profile=None,
    sci_mode=None,
):
    """Set the printing options, with the same semantics as torch.set_printoptions.

    A ``profile`` ('default', 'short' or 'full') is applied first and can be
    overridden by the explicit arguments.  Unknown profile names are ignored.
    Note that, as in torch, ``sci_mode`` is always assigned: calling this
    function without ``sci_mode`` resets it to ``None`` (automatic).
    """
    if profile is not None and profile in _PROFILES:
        (_OPTS.precision, _OPTS.threshold,
         _OPTS.edgeitems, _OPTS.linewidth) = _PROFILES[profile]
    if precision is not None:
        _OPTS.precision = precision
    if threshold is not None:
        _OPTS.threshold = threshold
    if edgeitems is not None:
        _OPTS.edgeitems = edgeitems
    if linewidth is not None:
        _OPTS.linewidth = linewidth
    _OPTS.sci_mode = sci_mode


def get_printoptions() -> Dict[str, Any]:
    """Current print options as a dict usable as ``set_printoptions(**opts)``."""
    return {
        "precision": _OPTS.precision,
        "threshold": _OPTS.threshold,
        "edgeitems": _OPTS.edgeitems,
        "linewidth": _OPTS.linewidth,
        "sci_mode": _OPTS.sci_mode,
    }


@contextlib.contextmanager
def printoptions(**kwargs):
    """Temporarily change the print options inside a ``with`` block."""
    saved = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**saved)


# --------------------------------------------------------------------------
# dtype helpers
# --------------------------------------------------------------------------

_FLOAT_DTYPES = {
    "float16", "half", "bfloat16", "float32", "float", "float64", "double",
}
_CANONICAL = {"half": "float16", "float": "float32", "double": "float64",
              "long": "int64", "int": "int32", "short": "int16",
              "cfloat": "complex64", "cdouble": "complex128"}


def _canon(name: str) -> str:
    name = str(name)
    if name.startswith("torch."):
        name = name[len("torch."):]
    return _CANONICAL.get(name, name)


def _as_plain(values: np.ndarray, is_float: bool, is_bool: bool) -> np.ndarray:
    """Convert to a dtype whose ``tolist()`` gives exact Python scalars."""
    if is_float:
        return values.astype(np.float64)
    if is_bool:
        return values.astype(np.bool_)
    if values.dtype.kind in "iub":
        return values
    # a float-stored integer tensor, say: go through Python ints exactly
    return values.astype(np.int64)


# --------------------------------------------------------------------------
# element formatter
# --------------------------------------------------------------------------

class _ElementFormatter:
    """Decides how every element is rendered and the common column width."""

    def __init__(self, data: np.ndarray, is_float: bool) -> None:
        self.is_float = is_float
        self.int_mode = True
        self.sci_mode = False
        self.width = 1
        self.precision = _OPTS.precision
        flat = data.reshape(-1)

        if not is_float:
            if flat.size:
                # str() length is monotonic in the value on each side of zero,
                # so the extremes give the widest rendering.
                lo = flat.min().item()
                hi = flat.max().item()
                self.width = max(1, len(str(lo)), len(str(hi)))
            return

        vals = flat[np.isfinite(flat) & (flat != 0)]
        if vals.size == 0:
            return  # only zeros / nan / inf: defaults apply

        absvals = np.abs(vals)
        amin = float(absvals.min())
        amax = float(absvals.max())
        self.int_mode = bool(np.all(vals == np.ceil(vals)))
        if _OPTS.sci_mode is None:
            self.sci_mode = amax / amin > 1000.0 or amax > 1.0e8 or amin < 1.0e-4
        else:
            self.sci_mode = _OPTS.sci_mode

        # The rendered length is monotonic in |x| for each sign (rounding is
        # monotonic, and in scientific notation the exponent width grows away
        # from 1e0 in both directions), so it is enough to look at the
        # extreme values of each sign.
        candidates: List[float] = []
        pos = vals[vals > 0]
        neg = vals[vals < 0]
        for part in (pos, neg):
            if part.size:
                candidates.append(float(part.min()))
                candidates.append(float(part.max()))

        p = self.precision
        if self.sci_mode:
            fmt = "{:.%de}" % p
            widths = [len(fmt.format(v)) for v in candidates]
        elif self.int_mode:
            # room for the trailing "." that marks a float
            widths = [len("{:.0f}".format(v)) + 1 for v in candidates]
        else:
            fmt = "{:.%df}" % p
            widths = [len(fmt.format(v)) for v in candidates]
        self.width = max([self.width] + widths)

    def format(self, value) -> str:
        if self.is_float:
            if self.sci_mode:
                text = ("{:%d.%de}" % (self.width, self.precision)).format(value)
            elif self.int_mode:
                text = "{:.0f}".format(value)
                if not (math.isinf(value) or math.isnan(value)):
                    text += "."
            else:
                text = ("{:.%df}" % self.precision).format(value)
        else:
            text = str(value)
        pad = self.width - len(text)
        return " " * pad + text if pad > 0 else text


class _ComplexFormatter:
    """Complex elements as ``re+imj``: the real and imaginary parts each get their own
    float formatter (own width, int/sci mode), as PyTorch formats ``t.real`` and ``t.imag``."""

    def __init__(self, data: np.ndarray) -> None:
        self.real = _ElementFormatter(np.ascontiguousarray(data.real), True)
        self.imag = _ElementFormatter(np.ascontiguousarray(data.imag), True)
        # the row-wrapping width: both parts plus the trailing "j"
        self.width = self.real.width + self.imag.width + 1

    def format(self, value) -> str:
        value = complex(value)
        real_text = self.real.format(value.real)
        imag_text = (self.imag.format(value.imag) + "j").lstrip()
        # a signed imaginary part (including -0.) carries its own sign
        if imag_text[0] in "+-":
            return real_text + imag_text
        return real_text + "+" + imag_text


# --------------------------------------------------------------------------
# layout
# --------------------------------------------------------------------------

def _summarized(data: np.ndarray) -> np.ndarray:
    """The elements that will actually be displayed once summarised."""
    if data.ndim == 0:
        return data
    e = _OPTS.edgeitems
    if data.ndim == 1:
        if data.shape[0] > 2 * e:
            # note: data[-0:] is the whole array, as with torch slicing
            return np.concatenate((data[:e], data[-e:]))
        return data
    if not e:
        return np.empty((0,) * data.ndim, dtype=data.dtype)
    if data.shape[0] > 2 * e:
        rows = list(range(e)) + list(range(data.shape[0] - e, data.shape[0]))
    else:
        rows = range(data.shape[0])
    return np.stack([_summarized(data[i]) for i in rows])


def _vector_str(data: np.ndarray, indent: int, summarize: bool,
                fmt: _ElementFormatter) -> str:
    item_len = fmt.width + 2  # ", " between elements
    per_line = max(1, math.floor((_OPTS.linewidth - indent) / item_len))
    e = _OPTS.edgeitems
    if summarize and not e:
        items = ["..."]
    elif summarize and data.shape[0] > 2 * e:
        items = ([fmt.format(v) for v in data[:e].tolist()] + [" ..."]
                 + [fmt.format(v) for v in data[-e:].tolist()])
    else:
        items = [fmt.format(v) for v in data.tolist()]
    lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _nd_str(data: np.ndarray, indent: int, summarize: bool,
            fmt: _ElementFormatter) -> str:
    if data.ndim == 0:
        return fmt.format(data.item())
    if data.ndim == 1:
        return _vector_str(data, indent, summarize, fmt)
    n = data.shape[0]
    e = _OPTS.edgeitems
    if summarize and n > 2 * e:
        parts = ([_nd_str(data[i], indent + 1, summarize, fmt) for i in range(e)]
                 + ["..."]
                 + [_nd_str(data[i], indent + 1, summarize, fmt)
                    for i in range(n - e, n)])
    else:
        parts = [_nd_str(data[i], indent + 1, summarize, fmt) for i in range(n)]
    sep = "," + "\n" * (data.ndim - 1) + " " * (indent + 1)
    return "[" + sep.join(parts) + "]"


def _body_str(data: np.ndarray, indent: int, is_float: bool) -> str:
    if data.size == 0:
        return "[]"
    summarize = data.size > _OPTS.threshold
    shown = _summarized(data) if summarize else data
    fmt = _ComplexFormatter(shown) if data.dtype.kind == "c" else _ElementFormatter(shown, is_float)
    return _nd_str(data, indent, summarize, fmt)


def _append_suffixes(text: str, suffixes: List[str], indent: int) -> str:
    out = [text]
    # torch's measure of the last line (rfind() returning -1 on a single
    # line makes it two longer than the line itself)
    last_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_len + len(suffix) + 2 > _OPTS.linewidth:
            out.append(",\n" + " " * indent + suffix)
            last_len = indent + len(suffix)
        else:
            out.append(", " + suffix)
            last_len += len(suffix) + 2
    out.append(")")
    return "".join(out)


# --------------------------------------------------------------------------
# entry point
# --------------------------------------------------------------------------

def format_tensor(
    values,
    *,
    dtype_name: str,
    default_dtype_name: str = "float32",
    requires_grad: bool = False,
    grad_fn_name: Optional[str] = None,
    device: Optional[str] = None,
) -> str:
    """Return what ``repr()`` of the equivalent torch tensor would print.

    values: NumPy array holding the data (any shape); float16 / bfloat16 data
        is printed from its exact float value.
    dtype_name: torch dtype name without the ``torch.`` prefix ("float32",
        "int64", "bfloat16", ...).  It decides float vs integer formatting
        and the ``dtype=`` suffix, whatever the NumPy storage dtype is.
    default_dtype_name: the current default floating dtype.
    requires_grad / grad_fn_name: produce ``grad_fn=<Name>`` (preferred) or
        ``requires_grad=True``.
    device: None or "cpu" for the CPU, otherwise e.g. "cuda:0".
    """
    arr = np.asarray(values)
    dtype = _canon(dtype_name)
    default = _canon(default_dtype_name)
    is_float = dtype in _FLOAT_DTYPES
    is_bool = dtype == "bool"
    if dtype.startswith("complex"):
        arr = arr.astype(np.complex128)  # exact for complex64 parts, like the float path
    else:
        arr = _as_plain(arr, is_float, is_bool)

    prefix = "tensor("
    indent = len(prefix)
    suffixes: List[str] = []

    if device is not None and str(device) != "cpu":
        suffixes.append("device='" + str(device) + "'")

    default_complex = "complex128" if default == "float64" else "complex64"
    dtype_is_default = dtype in (default, default_complex, "int64", "bool")

    if arr.size == 0:
        # sizes other than (0,) are spelled out, and the dtype always is
        # unless it is the default float dtype (an empty list says nothing)
        if arr.ndim != 1:
            suffixes.append("size=" + str(tuple(int(s) for s in arr.shape)))
        if dtype != default:
            suffixes.append("dtype=torch." + dtype)
        body = "[]"
    else:
        if not _OPTS.edgeitems:
            suffixes.append("size=" + str(tuple(int(s) for s in arr.shape)))
        if not dtype_is_default:
            suffixes.append("dtype=torch." + dtype)
        body = _body_str(arr, indent, is_float)

    if grad_fn_name is not None:
        suffixes.append("grad_fn=<" + str(grad_fn_name) + ">")
    elif requires_grad:
        suffixes.append("requires_grad=True")

    return _append_suffixes(prefix + body, suffixes, indent)
