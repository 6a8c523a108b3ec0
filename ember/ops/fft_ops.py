"""The differentiable primitives behind ``ember.fft``: zero-pad/trim, complex-to-complex,
real-to-complex and complex-to-real transforms over a set of dims.

Every transform is linear, so each backward is the adjoint transform. The adjoints come in
pairs that are each other's backward (R2C <-> R2CBackward, C2R <-> C2RBackward), which makes
double backward work without extra rules.

Scaling is carried as ``scale`` in ("none", "n", "sqrt_n"): the unnormalised transform is
multiplied by 1, 1/n or 1/sqrt(n) (n = number of signal points). NumPy's ``norm`` argument
means different scalings for the forward and inverse directions; ``_FWD_NORM``/``_INV_NORM``
translate. Gradients follow PyTorch's convention for complex numbers (the conjugate
Wirtinger derivative: for a real loss L, grad = dL/dRe + i dL/dIm).
"""
from ..autograd.function import Op
from ._common import xp_of

# the NumPy ``norm`` giving the unnormalised transform times 1, 1/n, 1/sqrt(n)
_FWD_NORM = {"none": "backward", "n": "forward", "sqrt_n": "ortho"}
_INV_NORM = {"none": "forward", "n": "backward", "sqrt_n": "ortho"}


class FftResize(Op):
    """Zero-pad or trim ``dims`` to ``sizes`` (padding and trimming at the end, like
    PyTorch's ``n``/``s`` arguments). Adjoint: resize back (trim <-> zero-pad)."""

    @staticmethod
    def forward(ctx, x, dims, sizes):
        ctx.original = tuple(x.shape[d] for d in dims)
        ctx.dims = dims
        index = [slice(None)] * x.ndim
        pads = [(0, 0)] * x.ndim
        for d, n in zip(dims, sizes):
            if n < x.shape[d]:
                index[d] = slice(0, n)
            elif n > x.shape[d]:
                pads[d] = (0, n - x.shape[d])
        out = x[tuple(index)]
        if any(p != (0, 0) for p in pads):
            return xp_of(x).pad(out, pads)
        return out.copy()  # a trim is a slice; the result must own its memory

    @staticmethod
    def backward(ctx, g):
        return FftResize.apply(g, ctx.dims, ctx.original), None, None


def resize(x, dims, sizes):
    """``x`` with each of ``dims`` padded with zeros or trimmed to the matching size."""
    if all(x.shape[d] == n for d, n in zip(dims, sizes)):
        return x
    return FftResize.apply(x, tuple(dims), tuple(sizes))


class FftC2C(Op):
    """Complex to complex over ``dims``; ``forward`` picks exp(-i...) (fft) or exp(+i...) (ifft)."""

    @staticmethod
    def forward(ctx, x, dims, forward, scale):
        ctx.args = (dims, forward, scale)
        fft = xp_of(x).fft
        if forward:
            return fft.fftn(x, axes=dims, norm=_FWD_NORM[scale])
        return fft.ifftn(x, axes=dims, norm=_INV_NORM[scale])

    @staticmethod
    def backward(ctx, g):
        # adjoint of s*F is s*F^H: the opposite direction, same scaling
        dims, forward, scale = ctx.args
        return FftC2C.apply(g, dims, not forward, scale), None, None, None


def _r2c(x, dims, forward, scale, onesided):
    fft = xp_of(x).fft
    norm = _FWD_NORM[scale]
    out = fft.rfftn(x, axes=dims, norm=norm) if onesided else fft.fftn(x, axes=dims, norm=norm)
    # for real x, the exp(+i...) transform is the conjugate of the exp(-i...) one
    return out if forward else xp_of(x).conj(out)


def _c2c_real_part(g, dims, forward, scale, full_sizes):
    """Re(s * F g), with g zero-padded to ``full_sizes`` first (undoing a onesided trim)."""
    fft = xp_of(g).fft
    if forward:
        out = fft.fftn(g, s=full_sizes, axes=dims, norm=_FWD_NORM[scale])
    else:
        out = fft.ifftn(g, s=full_sizes, axes=dims, norm=_INV_NORM[scale])
    return xp_of(g).ascontiguousarray(out.real)


class FftR2C(Op):
    """Real to complex over ``dims``; ``onesided`` keeps the first n//2+1 bins of the last dim."""

    @staticmethod
    def forward(ctx, x, dims, forward, scale, onesided):
        ctx.args = (dims, forward, scale, onesided, tuple(x.shape[d] for d in dims))
        return _r2c(x, dims, forward, scale, onesided)

    @staticmethod
    def backward(ctx, g):
        # adjoint: zero-pad the dropped bins, opposite-direction transform, real part
        dims, forward, scale, onesided, full = ctx.args
        return FftR2CBackward.apply(g, dims, not forward, scale, onesided, full), None, None, None, None


class FftR2CBackward(Op):
    """Re(s * F pad(g)); the adjoint of FftR2C in the opposite direction (and vice versa)."""

    @staticmethod
    def forward(ctx, g, dims, forward, scale, onesided, full_sizes):
        ctx.args = (dims, forward, scale, onesided)
        return _c2c_real_part(g, dims, forward, scale, full_sizes)

    @staticmethod
    def backward(ctx, h):
        dims, forward, scale, onesided = ctx.args
        return FftR2C.apply(h, dims, not forward, scale, onesided), None, None, None, None, None


class FftC2R(Op):
    """Hermitian complex to real (irfftn): the last of ``dims`` holds last_n//2+1 bins and
    gives ``last_n`` points. Imaginary parts the real result cannot hold (the zero and
    Nyquist bins) are ignored, as pocketfft/MKL do."""

    @staticmethod
    def forward(ctx, x, dims, last_n, scale):
        ctx.args = (dims, scale, x.shape[dims[-1]])
        sizes = [x.shape[d] for d in dims[:-1]] + [last_n]
        return xp_of(x).fft.irfftn(x, s=sizes, axes=dims, norm=_INV_NORM[scale])

    @staticmethod
    def backward(ctx, g):
        dims, scale, bins = ctx.args
        return FftC2RBackward.apply(g, dims, scale, bins), None, None, None


class FftC2RBackward(Op):
    """s * rfftn(g) with the bins that stand for a conjugate pair doubled: the adjoint of
    FftC2R (and its backward is FftC2R again)."""

    @staticmethod
    def forward(ctx, g, dims, scale, bins):
        last = dims[-1]
        n = g.shape[last]
        ctx.args = (dims, scale, n)
        out = xp_of(g).fft.rfftn(g, axes=dims, norm=_FWD_NORM[scale])
        # bins 1 .. n-bins appear twice in the Hermitian extension (k and n-k); the zero bin
        # and (even n) the Nyquist bin once
        doubled = [slice(None)] * g.ndim
        doubled[last] = slice(1, 1 + n - bins)
        out[tuple(doubled)] *= 2
        return out

    @staticmethod
    def backward(ctx, h):
        dims, scale, n = ctx.args
        return FftC2R.apply(h, dims, n, scale), None, None, None

