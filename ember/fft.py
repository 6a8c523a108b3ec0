"""ember.fft: the torch.fft namespace (discrete Fourier transforms and helpers).

Every transform is built from the differentiable primitives in ``ops/fft_ops.py``:
an optional zero-pad/trim to the requested sizes, then one transform over all the dims.
Result dtypes follow PyTorch: float32 -> complex64, float64 -> complex128, integers and
bools go through the default float dtype; half precision is refused as on PyTorch's CPU.
``norm`` is "backward" (default: the forward transform unscaled, the inverse scaled by
1/n), "forward" (the reverse) or "ortho" (both by 1/sqrt(n)).
"""
import builtins
import numbers

from . import _dtype as _dt
from ._backend import np
from ._tensor import Tensor, _wrap_dim
from .ops import misc_views as _mv
from .ops._common import write_out
from .ops.fft_ops import FftC2C, FftC2R, FftR2C, resize

__all__ = ["fft", "ifft", "fft2", "ifft2", "fftn", "ifftn", "rfft", "irfft", "rfft2", "irfft2", "rfftn",
           "irfftn", "hfft", "ihfft", "hfft2", "ihfft2", "hfftn", "ihfftn", "fftfreq", "rfftfreq",
           "fftshift", "ifftshift"]

_TYPE_NAMES = {"complex64": "ComplexFloat", "complex128": "ComplexDouble", "float16": "Half",
               "bfloat16": "BFloat16"}


# ---- argument checking --------------------------------------------------------------------
def _scale(norm, forward_family, fn):
    """The scaling ('none', 'n', 'sqrt_n') that ``norm`` means for this transform family
    (forward: fft, rfft, hfft; inverse: ifft, irfft, ihfft)."""
    if norm is None or norm == "backward":
        return "none" if forward_family else "n"
    if not isinstance(norm, str):
        raise TypeError(f"fft_{fn}(): argument 'norm' must be str, not {type(norm).__name__}")
    if norm == "forward":
        return "n" if forward_family else "none"
    if norm == "ortho":
        return "sqrt_n"
    raise RuntimeError(f'Invalid normalization mode: "{norm}"')


def _floating(x, fn):
    """Integers and bools to the default float dtype; half precision refused (as on CPU)."""
    if not isinstance(x, Tensor):
        raise TypeError(f"fft_{fn}(): argument 'input' (position 1) must be Tensor, not {type(x).__name__}")
    kind = x._data.dtype.kind
    if x.dtype in (_dt.float16, _dt.bfloat16):
        raise RuntimeError(f"Unsupported dtype {_TYPE_NAMES[x.dtype.name]}")
    if kind in "fc":
        return x
    return x.to(_dt.get_default_dtype())


def _to_complex(x):
    """A real tensor as complex with zero imaginary part (differentiable: grad = real part)."""
    if x.is_complex():
        return x
    return _mv.complex(x, x.detach() * 0)


def _check_points(n):
    if n < 1:
        raise RuntimeError(f"Invalid number of data points ({n}) specified")


def _int_arg(value, fn, name):
    if isinstance(value, builtins.bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"fft_{fn}(): argument '{name}' must be int, not {type(value).__name__}")
    return int(value)


def _one_dim(x, n, dim, fn):
    """(dims, sizes) for the 1-D transforms: ``dim`` wrapped, ``n`` (or the input's size)."""
    dim = _int_arg(dim, fn, "dim")
    if x.dim() == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    d = _wrap_dim(dim, x.dim())
    if n is None:
        return (d,), (x.shape[d],)
    n = _int_arg(n, fn, "n")
    _check_points(n)
    return (d,), (n,)


def _n_dims(x, s, dim, fn, c2r=False):
    """(dims, sizes) for the n-D transforms. ``s`` without ``dim`` names the last len(s) dims;
    neither names all dims; an entry -1 in ``s`` keeps that dim's size. With ``c2r`` the
    last size defaults to 2 * (bins - 1), the length of the real signal."""
    if s is not None:
        s = [_int_arg(v, fn, "s") for v in ((s,) if isinstance(s, numbers.Integral) else s)]
    if dim is None:
        if s is None:
            dims = list(range(x.dim()))
        else:
            if len(s) > x.dim():
                raise RuntimeError(f"Got shape with {len(s)} values but input tensor only has {x.dim()} "
                                   "dimensions.")
            dims = list(range(x.dim() - len(s), x.dim()))
    else:
        dim = [dim] if isinstance(dim, numbers.Integral) else list(dim)
        if dim and x.dim() == 0:
            raise IndexError(f"Dimension specified as {dim[0]} but tensor has no dimensions")
        dims = [_wrap_dim(_int_arg(d, fn, "dim"), x.dim()) for d in dim]
        if len(set(dims)) != len(dims):
            raise RuntimeError("FFT dims must be unique")
        if s is not None and len(s) != len(dims):
            raise RuntimeError("When given, dim and shape arguments must have the same length")
    sizes = []
    for i, d in enumerate(dims):
        given = s[i] if s is not None else -1
        if given == -1:
            given = 2 * (x.shape[d] - 1) if c2r and i == len(dims) - 1 else x.shape[d]
        _check_points(given)
        sizes.append(given)
    return tuple(dims), tuple(sizes)


def _require_real(x, message):
    if x.is_complex():
        raise RuntimeError(message + _TYPE_NAMES[x.dtype.name])


# ---- the transforms -------------------------------------------------------------------------
def _c2c(x, dims, sizes, forward, scale):
    """fft/ifft family: complex input -> FftC2C; real input -> a full (two-sided) R2C."""
    x = resize(x, dims, sizes)
    if not dims:
        return _to_complex(x).clone()
    if x.is_complex() or len(dims) > 1:
        # like PyTorch, a real input to a multi-dim transform is made complex first
        return FftC2C.apply(_to_complex(x), dims, forward, scale)
    out = FftR2C.apply(x, dims, True, scale, False)
    # for real x the exp(+i) transform is the conjugate of the exp(-i) one
    return out if forward else _mv.conj(out)


def _r2c(x, dims, sizes, forward, scale, fn):
    if not dims:
        raise RuntimeError(f"{fn} must transform at least one axis")
    x = resize(x, dims, sizes)
    if forward or len(dims) == 1:
        out = FftR2C.apply(x, dims, True, scale, True)
        return out if forward else _mv.conj(out)
    # ihfftn: the onesided transform of the last dim, then the others complex-to-complex
    # (PyTorch's order; the scalings multiply to the requested one)
    out = _mv.conj(FftR2C.apply(x, dims[-1:], True, scale, True))
    return FftC2C.apply(out, dims[:-1], False, scale)


def _c2r(x, dims, sizes, scale, conjugate, fn):
    """irfft/hfft family: the last dim holds sizes[-1]//2+1 Hermitian bins, giving sizes[-1] points."""
    if not dims:
        raise RuntimeError(f"{fn} must transform at least one axis")
    x = _to_complex(x)
    x = resize(x, dims, sizes[:-1] + (sizes[-1] // 2 + 1,))
    if conjugate:  # hfft is the exp(-i) transform: irfft of the conjugate, real result
        x = _mv.conj(x)
    return FftC2R.apply(x, dims, sizes[-1], scale)


def _c2r_one_dim(input, n, dim, norm, out, fn, hermitian):
    """irfft (hermitian=False) and hfft (hermitian=True: forward-family scaling, conjugated input):
    a real output of length ``n``, by default 2*(bins-1)."""
    x = _floating(input, fn)
    dims, sizes = _one_dim(x, n, dim, fn)
    if n is None:
        sizes = (2 * (x.shape[dims[0]] - 1),)
        _check_points(sizes[0])
    return write_out(out, _c2r(x, dims, sizes, _scale(norm, hermitian, fn), hermitian, fn))


def fft(input, n=None, dim=-1, norm=None, *, out=None):
    """One-dimensional discrete Fourier transform of ``input`` along ``dim``.

    Args:
        n (int, optional): signal length; the input is zero-padded or trimmed to it.
        dim (int): the dimension to transform (default -1).
        norm (str, optional): "backward" (no scaling, default), "forward" (1/n) or "ortho".
    """
    x = _floating(input, "fft")
    dims, sizes = _one_dim(x, n, dim, "fft")
    return write_out(out, _c2c(x, dims, sizes, True, _scale(norm, True, "fft")))


def ifft(input, n=None, dim=-1, norm=None, *, out=None):
    """Inverse of :func:`fft` (scaled by 1/n with the default ``norm="backward"``)."""
    x = _floating(input, "ifft")
    dims, sizes = _one_dim(x, n, dim, "ifft")
    return write_out(out, _c2c(x, dims, sizes, False, _scale(norm, False, "ifft")))


def fftn(input, s=None, dim=None, norm=None, *, out=None):
    """N-dimensional FFT over ``dim`` (all dims by default; the last len(s) when only ``s`` is given)."""
    x = _floating(input, "fftn")
    dims, sizes = _n_dims(x, s, dim, "fftn")
    return write_out(out, _c2c(x, dims, sizes, True, _scale(norm, True, "fftn")))


def ifftn(input, s=None, dim=None, norm=None, *, out=None):
    """Inverse of :func:`fftn`."""
    x = _floating(input, "ifftn")
    dims, sizes = _n_dims(x, s, dim, "ifftn")
    return write_out(out, _c2c(x, dims, sizes, False, _scale(norm, False, "ifftn")))


def fft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    """Two-dimensional FFT (over the last two dims by default)."""
    return fftn(input, s, dim, norm, out=out)


def ifft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    return ifftn(input, s, dim, norm, out=out)


def rfft(input, n=None, dim=-1, norm=None, *, out=None):
    """FFT of a real signal, keeping the n//2+1 non-redundant frequencies."""
    x = _floating(input, "rfft")
    _require_real(x, "rfft expects a real input tensor, but got ")
    dims, sizes = _one_dim(x, n, dim, "rfft")
    return write_out(out, _r2c(x, dims, sizes, True, _scale(norm, True, "rfft"), "rfft"))


def irfft(input, n=None, dim=-1, norm=None, *, out=None):
    """Inverse of :func:`rfft`: a real signal of length ``n`` (default 2*(bins-1))."""
    return _c2r_one_dim(input, n, dim, norm, out, "irfft", False)


def rfftn(input, s=None, dim=None, norm=None, *, out=None):
    """N-dimensional FFT of a real input; the last transformed dim keeps n//2+1 frequencies."""
    x = _floating(input, "rfftn")
    _require_real(x, "rfftn expects a real-valued input tensor, but got ")
    dims, sizes = _n_dims(x, s, dim, "rfftn")
    return write_out(out, _r2c(x, dims, sizes, True, _scale(norm, True, "rfftn"), "rfftn"))


def irfftn(input, s=None, dim=None, norm=None, *, out=None):
    """Inverse of :func:`rfftn`."""
    x = _floating(input, "irfftn")
    dims, sizes = _n_dims(x, s, dim, "irfftn", c2r=True)
    return write_out(out, _c2r(x, dims, sizes, _scale(norm, False, "irfftn"), False, "irfftn"))


def rfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    return rfftn(input, s, dim, norm, out=out)


def irfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    return irfftn(input, s, dim, norm, out=out)


def hfft(input, n=None, dim=-1, norm=None, *, out=None):
    """FFT of a Hermitian-symmetric signal given by its first half: a real result of length
    ``n`` (default 2*(input size-1))."""
    return _c2r_one_dim(input, n, dim, norm, out, "hfft", True)


def ihfft(input, n=None, dim=-1, norm=None, *, out=None):
    """Inverse of :func:`hfft`: the first n//2+1 bins of the inverse FFT of a real signal."""
    x = _floating(input, "ihfft")
    _require_real(x, "ihfft expects a real input tensor, but got ")
    dims, sizes = _one_dim(x, n, dim, "ihfft")
    return write_out(out, _r2c(x, dims, sizes, False, _scale(norm, False, "ihfft"), "ihfft"))


def hfftn(input, s=None, dim=None, norm=None, *, out=None):
    """N-dimensional :func:`hfft`: the last transformed dim is the Hermitian half."""
    x = _floating(input, "hfftn")
    dims, sizes = _n_dims(x, s, dim, "hfftn", c2r=True)
    return write_out(out, _c2r(x, dims, sizes, _scale(norm, True, "hfftn"), True, "hfftn"))


def ihfftn(input, s=None, dim=None, norm=None, *, out=None):
    """Inverse of :func:`hfftn`."""
    x = _floating(input, "ihfftn")
    _require_real(x, "Only supports floating-point dtypes, but found: ")
    dims, sizes = _n_dims(x, s, dim, "ihfftn")
    return write_out(out, _r2c(x, dims, sizes, False, _scale(norm, False, "ihfftn"), "ihfftn"))


def hfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    return hfftn(input, s, dim, norm, out=out)


def ihfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    return ihfftn(input, s, dim, norm, out=out)


# ---- helpers -------------------------------------------------------------------------------
def _frequencies(ints, n, d, dtype, requires_grad, fn):
    dtype = _dt.get_default_dtype() if dtype is None else dtype
    if not (dtype.is_floating_point or dtype.is_complex):
        raise RuntimeError(f"{fn} requires a floating point or complex dtype")
    if dtype.is_complex:  # PyTorch builds these with arange, which has no complex kernel
        raise NotImplementedError(f"\"arange_cpu\" not implemented for '{_TYPE_NAMES[dtype.name]}'")
    # PyTorch multiplies by the reciprocal (in double) rather than dividing; n = 0 gives
    # 0 * inf = nan for rfftfreq's single entry, as there
    step = 1.0 / (n * d) if n * d else float("inf")
    with np.errstate(invalid="ignore"):
        values = ints.astype(dtype.np_dtype) * dtype.np_dtype.type(step)
    t = Tensor._make(values)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _check_length(n):
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")


def fftfreq(n, d=1.0, *, dtype=None, layout=None, device=None, requires_grad=False):
    """Sample frequencies of an ``fft`` of length ``n``: [0, 1, ..., -(n//2), ..., -1] / (d*n)."""
    _check_length(n)
    ints = np.concatenate([np.arange((n + 1) // 2), np.arange(-(n // 2), 0)])
    return _frequencies(ints, n, d, dtype, requires_grad, "fftfreq")


def rfftfreq(n, d=1.0, *, dtype=None, layout=None, device=None, requires_grad=False):
    """Sample frequencies of an ``rfft`` of length ``n``: [0, 1, ..., n//2] / (d*n)."""
    _check_length(n)
    return _frequencies(np.arange(n // 2 + 1), n, d, dtype, requires_grad, "rfftfreq")


def _shift(input, dim, inverse):
    if dim is None:
        dims = tuple(range(input.dim()))
    else:
        dims = (dim,) if isinstance(dim, numbers.Integral) else tuple(dim)
        dims = tuple(_wrap_dim(d, input.dim()) for d in dims)
    if not dims:
        return input.clone()
    shifts = tuple((input.shape[d] + 1) // 2 if inverse else input.shape[d] // 2 for d in dims)
    return input.roll(shifts, dims)


def fftshift(input, dim=None):
    """Move the zero-frequency term to the centre (roll each of ``dim`` by n//2)."""
    return _shift(input, dim, False)


def ifftshift(input, dim=None):
    """Inverse of :func:`fftshift`."""
    return _shift(input, dim, True)
