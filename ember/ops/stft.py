"""Short-time Fourier transform (torch.stft) and its inverse (torch.istft).

stft: optional reflect-padding by n_fft//2 (``center``), frames of n_fft samples every
``hop_length``, times the window (zero-padded to n_fft in the middle), one FFT per frame.
istft: an inverse FFT per frame, times the window, overlap-added and divided by the
overlap-added squared window (the least-squares inverse; it needs that sum nonzero: NOLA).
Both are compositions of differentiable ops, so gradients flow to the input and the window.
"""
import warnings

from .._backend import np
from .._tensor import Tensor
from ..autograd.function import Op
from . import misc_views as _mv
from ._common import xp_of

_TYPE_WORDS = {"float32": "Float", "float64": "Double", "complex64": "ComplexFloat",
               "complex128": "ComplexDouble", "float16": "Half", "bfloat16": "BFloat16", "int64": "Long",
               "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


def _word(t):
    return _TYPE_WORDS.get(t.dtype.name, t.dtype.name)


def _window_text(window):
    if window is None:
        return "None"
    return f"torch.{_word(window)}Tensor{{{list(window.shape)}}}"


def _opt(value):
    return "None" if value is None else str(int(value))


class OverlapAdd(Op):
    """(B, frames, n) -> (B, n + hop*(frames-1)): frame t is added at offset t*hop.
    Adjoint: cut the signal back into (overlapping) frames, i.e. ``unfold``."""

    @staticmethod
    def forward(ctx, frames, hop):
        batch, count, n = frames.shape
        ctx.args = (n, hop)
        xp = xp_of(frames)
        # split each frame into `reps` hop-sized blocks; block r of frame t lands on output
        # block t + r, so one vectorised add per block index does the whole sum
        reps = -(-n // hop)
        padded = xp.zeros((batch, count, reps * hop), frames.dtype)
        padded[..., :n] = frames
        blocks = padded.reshape(batch, count, reps, hop)
        out = xp.zeros((batch, count + reps - 1, hop), frames.dtype)
        for r in range(reps):
            out[:, r:r + count] += blocks[:, :, r]
        return out.reshape(batch, -1)[:, :n + hop * (count - 1)]

    @staticmethod
    def backward(ctx, g):
        n, hop = ctx.args
        return g.unfold(-1, n, hop), None


def _pad_window(window, n_fft, win_length):
    """The window zero-padded on both sides to n_fft (left: (n_fft - win_length) // 2)."""
    if win_length == n_fft:
        return window
    from .shape import cat
    left = (n_fft - win_length) // 2
    dtype = window._data.dtype
    return cat([Tensor._make(np.zeros(left, dtype)), window,
                Tensor._make(np.zeros(n_fft - win_length - left, dtype))])


def _real_dtype(t):
    return t.dtype.to_real() if t.is_complex() else t.dtype


def stft(input, n_fft, hop_length=None, win_length=None, window=None, center=True, pad_mode="reflect",
         normalized=False, onesided=None, return_complex=None, align_to_window=None):
    """Short-time Fourier transform: (L) or (B, L) -> (freq, frames) or (B, freq, frames).

    Args:
        n_fft (int): FFT size (samples per frame).
        hop_length (int, optional): step between frames (default n_fft // 4).
        win_length (int, optional): window size, at most n_fft (default n_fft).
        window (Tensor, optional): 1-D window of win_length samples (default: all ones).
        center (bool): pad n_fft // 2 samples on both sides with ``pad_mode`` (default True).
        normalized (bool): multiply by n_fft ** -0.5 (default False).
        onesided (bool, optional): keep n_fft // 2 + 1 frequencies (default: True for real
            input and window).
        return_complex (bool): must be given for real input; False returns the deprecated
            real view with a trailing dim of 2.
    """
    from .. import fft as _fft
    if center and align_to_window is not None:
        raise RuntimeError("stft align_to_window should only be set when center = false")
    if center:
        from ..nn.functional import pad
        signal_dim = input.dim()
        extended = [1] * (3 - signal_dim) + list(input.shape)
        half = n_fft // 2
        input = pad(input.view(extended), [half, half], pad_mode)
        input = input.view(tuple(input.shape[-signal_dim:]))
    if window is None:
        warnings.warn("A window was not provided. A rectangular window will be applied,which is known to cause "
                      "spectral leakage. Other windows such as torch.hann_window or torch.hamming_window are "
                      "recommended to reduce spectral leakage.To suppress this warning and use a rectangular "
                      "window, explicitly set `window=torch.ones(n_fft, device=<device>)`.", UserWarning,
                      stacklevel=2)
    complex_in = input.is_complex() or (window is not None and window.is_complex())
    if return_complex is None:
        if not complex_in:
            raise RuntimeError("stft requires the return_complex parameter be given for real inputs, and will "
                               "further require that return_complex=True in a future PyTorch release.")
        return_complex = True
    hop = n_fft // 4 if hop_length is None else hop_length
    win = n_fft if win_length is None else win_length
    prefix = (f"stft(torch.{_word(input)}Tensor{list(input.shape)}, n_fft={n_fft}, hop_length={hop}, "
              f"win_length={win}, window={_window_text(window)}, normalized={int(bool(normalized))}, "
              f"onesided={_opt(onesided)}, return_complex={int(bool(return_complex))}, "
              f"align_to_window={_opt(align_to_window)}) : ")
    if not (input.is_floating_point() or input.is_complex()):
        raise RuntimeError(prefix + "expected a tensor of floating point or complex values")
    if input.dim() not in (1, 2):
        raise RuntimeError(prefix + "expected a 1D or 2D tensor")
    length = input.shape[-1]
    if n_fft <= 0 or n_fft > length:
        raise RuntimeError(prefix + f"expected 0 < n_fft < {length}, but got n_fft={n_fft}")
    if hop <= 0:
        raise RuntimeError(prefix + f"expected hop_length > 0, but got hop_length={hop}")
    if win <= 0 or win > n_fft:
        raise RuntimeError(prefix + f"expected 0 < win_length <= n_fft, but got win_length={win}")
    if window is not None and (window.dim() != 1 or window.shape[0] != win):
        raise RuntimeError(prefix + f"expected a 1D window tensor of size equal to win_length={win}, but got "
                           f"window with size {list(window.shape)}")
    if onesided is None:
        onesided = not complex_in
    elif onesided and complex_in:
        raise RuntimeError("Cannot have onesided output if window or input is complex")
    if not return_complex:
        warnings.warn("stft with return_complex=False is deprecated. In a future pytorch release, stft will "
                      "return complex tensors for all inputs, and return_complex=False will raise an error.\n"
                      "Note: you can still call torch.view_as_real on the complex output to recover the old "
                      "return format.", UserWarning, stacklevel=2)
    if window is None:
        window = Tensor._make(np.ones(win, _real_dtype(input).np_dtype))
    batched = input.dim() == 2
    signal = input if batched else input.unsqueeze(0)
    if align_to_window and not center:
        # frames of win_length samples start every hop; each is centred in its n_fft FFT frame
        frames = signal.unfold(-1, win, hop) * window
        frames = _pad_window_frames(frames, n_fft, win)
    else:
        frames = signal.unfold(-1, n_fft, hop) * _pad_window(window, n_fft, win)
    norm = "ortho" if normalized else "backward"
    spec = _fft.rfft(frames, norm=norm) if onesided else _fft.fft(frames, norm=norm)
    spec = spec.transpose(-1, -2)
    if not batched:
        spec = spec.squeeze(0)
    if return_complex:
        return spec
    from .shape import stack
    return stack([_mv.real(spec), _mv.imag(spec)], -1)


def _pad_window_frames(frames, n_fft, win):
    if win == n_fft:
        return frames
    from .shape import cat
    left = (n_fft - win) // 2
    shape, dtype = tuple(frames.shape[:-1]), frames._data.dtype
    return cat([Tensor._make(np.zeros(shape + (left,), dtype)), frames,
                Tensor._make(np.zeros(shape + (n_fft - win - left,), dtype))], -1)


def istft(input, n_fft, hop_length=None, win_length=None, window=None, center=True, normalized=False,
          onesided=None, length=None, return_complex=False):
    """Inverse of :func:`stft`: (freq, frames) or (B, freq, frames) complex -> (L) or (B, L).

    ``length`` trims (or zero-pads) the result to that many samples; the window must be the
    one given to :func:`stft` for an exact inversion, and its overlap-added square must be
    nonzero everywhere in the output (the NOLA condition).
    """
    from .. import fft as _fft
    if window is None:
        warnings.warn("A window was not provided. A rectangular window will be applied.Please provide the same "
                      "window used by stft to make the inversion lossless.To suppress this warning and use a "
                      "rectangular window, explicitly set `window=torch.ones(n_fft, device=<device>)`.",
                      UserWarning, stacklevel=2)
    if not input.is_complex():
        raise RuntimeError("istft requires a complex-valued input tensor matching the output from stft with "
                           "return_complex=True.")
    as_real_dims = input.dim() + 1  # PyTorch checks the shape of view_as_real(input)
    if as_real_dims < 3:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-as_real_dims}, "
                         f"{as_real_dims - 1}], but got -3)")
    hop = n_fft // 4 if hop_length is None else hop_length
    win = n_fft if win_length is None else win_length
    prefix = (f"istft(CPU{_word(input)}Type{list(input.shape)}, n_fft={n_fft}, hop_length={hop}, "
              f"win_length={win}, window={_window_text(window)}, center={int(bool(center))}, "
              f"normalized={int(bool(normalized))}, onesided={_opt(onesided)}, "
              f"length={'None' if length is None else length}, return_complex={int(bool(return_complex))})")
    if as_real_dims not in (3, 4):
        raise RuntimeError(prefix + f" : expected a tensor with 3 or 4 dimensions, but got {as_real_dims}")
    if input.numel() == 0:
        raise RuntimeError(prefix + " : input tensor cannot be empty.")
    if not 0 < win <= n_fft:
        raise RuntimeError(prefix + " : expected 0 < win_length <= n_fft")
    if not 0 < hop <= win:
        raise RuntimeError(prefix + " : expected 0 < hop_length <= win_length")
    if window is not None and (window.dim() != 1 or window.shape[0] != win):
        raise RuntimeError(prefix + " : Invalid window shape. window has to be 1D and length of `win_length`")
    bins = input.shape[-2]
    if onesided is None:
        onesided = bins != n_fft
    if onesided and bins != n_fft // 2 + 1:
        raise RuntimeError(prefix + " : expected the frequency dimension (3rd to the last) of the input tensor "
                           f"to match n_fft / 2 + 1 when onesided=True, but got {bins}")
    if not onesided and bins != n_fft:
        raise RuntimeError(prefix + " : expected the frequency dimension (3rd to the last) of the input tensor "
                           f"to match n_fft when onesided=False, but got {bins}")
    if window is None:
        window = Tensor._make(np.ones(win, _real_dtype(input).np_dtype))
    full_window = _pad_window(window, n_fft, win)
    batched = input.dim() == 3
    spec = (input if batched else input.unsqueeze(0)).transpose(-1, -2)  # (B, frames, bins)
    norm = "ortho" if normalized else "backward"
    if return_complex:
        if onesided:
            raise RuntimeError("Cannot have onesided output if window or input is complex")
        frames = _fft.ifft(spec, n_fft, -1, norm)
    else:
        if window.is_complex():
            raise RuntimeError("Complex windows are incompatible with return_complex=False")
        if not onesided:
            spec = spec[..., :n_fft // 2 + 1]
        frames = _fft.irfft(spec, n_fft, -1, norm)
    count = frames.shape[-2]
    signal = OverlapAdd.apply(frames * full_window, hop)
    square = (full_window * full_window).unsqueeze(0).unsqueeze(0).expand(1, count, n_fft)
    envelope = OverlapAdd.apply(square, hop)
    expected = n_fft + hop * (count - 1)
    start = n_fft // 2 if center else 0
    if length is not None:
        end = start + length
    else:
        end = expected - n_fft // 2 if center else expected
    signal = signal[:, start:min(end, expected)]
    envelope = envelope[:, start:min(end, expected)]
    if envelope.numel() and bool((envelope.detach().abs().min() < 1e-11)):
        raise RuntimeError(prefix + " window overlap add min: 1\n[ CPUBoolType{} ]")
    signal = signal / envelope
    if end > expected:
        warnings.warn("The length of signal is shorter than the length parameter. Result is being padded with "
                      "zeros in the tail. Please check your center and hop_length settings.", UserWarning,
                      stacklevel=2)
        from ..nn.functional import pad
        signal = pad(signal, [0, end - expected])
    return signal if batched else signal.squeeze(0)


__all__ = ["stft", "istft"]
METHODS = ["stft", "istft"]
