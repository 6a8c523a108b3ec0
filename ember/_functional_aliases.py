"""torch.* names that are nn.functional ops under PyTorch's top-level (ATen) signatures,
the top-level in-place forms (torch.exp_(x) is x.exp_()), and CPU no-op compatibility switches.

The functional ops are looked up when called, so ``import ember`` works while a family is
still missing, and each alias follows the family's one implementation.
"""
import contextlib
import importlib

from . import _dtype as dt
from ._tensor import Tensor

_REDUCTIONS = {0: "none", 1: "mean", 2: "sum"}


def _F(name):
    return getattr(importlib.import_module("ember.nn.functional"), name)


def _reduction(r):
    """ATen takes reduction as an int enum (0 none, 1 mean, 2 sum); strings pass through."""
    return _REDUCTIONS[r] if isinstance(r, int) else r


def _passthrough(name, doc=None):
    def fn(*args, **kwargs):
        return _F(name)(*args, **kwargs)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc or f"Same as :func:`ember.nn.functional.{name}`."
    return fn


# ---- same signature as nn.functional -----------------------------------------------------------
conv1d = _passthrough("conv1d")
conv2d = _passthrough("conv2d")
conv3d = _passthrough("conv3d")
conv_transpose1d = _passthrough("conv_transpose1d")
conv_transpose2d = _passthrough("conv_transpose2d")
conv_transpose3d = _passthrough("conv_transpose3d")
adaptive_avg_pool1d = _passthrough("adaptive_avg_pool1d")
prelu = _passthrough("prelu")
pixel_shuffle = _passthrough("pixel_shuffle")
pixel_unshuffle = _passthrough("pixel_unshuffle")
channel_shuffle = _passthrough("channel_shuffle")
native_channel_shuffle = _passthrough("channel_shuffle")
bilinear = _passthrough("bilinear")
hardshrink = _passthrough("hardshrink")
selu = _passthrough("selu")
selu_ = _passthrough("selu_")
celu = _passthrough("celu")
celu_ = _passthrough("celu_")
threshold = _passthrough("threshold")
threshold_ = _passthrough("threshold_")


def _stride_default(stride):
    return None if stride is None or (isinstance(stride, (tuple, list)) and len(stride) == 0) else stride


def avg_pool1d(input, kernel_size, stride=(), padding=0, ceil_mode=False, count_include_pad=True):
    return _F("avg_pool1d")(input, kernel_size, _stride_default(stride), padding, ceil_mode, count_include_pad)


def max_pool1d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    return _F("max_pool1d")(input, kernel_size, _stride_default(stride), padding, dilation, ceil_mode)


def max_pool2d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    return _F("max_pool2d")(input, kernel_size, _stride_default(stride), padding, dilation, ceil_mode)


def max_pool3d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    return _F("max_pool3d")(input, kernel_size, _stride_default(stride), padding, dilation, ceil_mode)


def max_pool1d_with_indices(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    return _F("max_pool1d")(input, kernel_size, _stride_default(stride), padding, dilation, ceil_mode,
                            return_indices=True)


def adaptive_max_pool1d(input, output_size):
    return _F("adaptive_max_pool1d")(input, output_size, return_indices=True)


def softmax(input, dim, dtype=None):
    return _F("softmax")(input, dim, dtype=dtype)


def log_softmax(input, dim, dtype=None):
    return _F("log_softmax")(input, dim, dtype=dtype)


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, generator=None):
    return _F("rrelu")(input, lower, upper, training)


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False, generator=None):
    return _F("rrelu_")(input, lower, upper, training)


# ---- normalization: ATen argument order ---------------------------------------------------------
def batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps, cudnn_enabled=True):
    return _F("batch_norm")(input, running_mean, running_var, weight, bias, training, momentum, eps)


def instance_norm(input, weight, bias, running_mean, running_var, use_input_stats, momentum, eps,
                  cudnn_enabled=True):
    return _F("instance_norm")(input, running_mean, running_var, weight, bias, use_input_stats, momentum, eps)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-05, cudnn_enable=True):
    return _F("layer_norm")(input, normalized_shape, weight, bias, eps)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-05, cudnn_enabled=True):
    return _F("group_norm")(input, num_groups, weight, bias, eps)


def rms_norm(input, normalized_shape, weight=None, eps=None):
    return _F("rms_norm")(input, normalized_shape, weight, eps)


# ---- dropout: (input, p, train) -------------------------------------------------------------------
def dropout(input, p, train):
    return _F("dropout")(input, p, train)


def dropout_(input, p, train):
    return _F("dropout")(input, p, train, inplace=True)


def alpha_dropout(input, p, train):
    return _F("alpha_dropout")(input, p, train)


def alpha_dropout_(input, p, train):
    return _F("alpha_dropout")(input, p, train, inplace=True)


def feature_alpha_dropout(input, p, train):
    return _F("feature_alpha_dropout")(input, p, train)


def feature_alpha_dropout_(input, p, train):
    return _F("feature_alpha_dropout")(input, p, train, inplace=True)


def _feature_dropout_fn(input):
    return _F("dropout1d" if input.dim() <= 3 else "dropout2d" if input.dim() == 4 else "dropout3d")


def feature_dropout(input, p, train):
    """Zeroes whole channels (dim 1) of a batched input."""
    return _feature_dropout_fn(input)(input, p, train)


def feature_dropout_(input, p, train):
    return _feature_dropout_fn(input)(input, p, train, inplace=True)


# ---- embedding: weight first ----------------------------------------------------------------------
def embedding(weight, indices, padding_idx=-1, scale_grad_by_freq=False, sparse=False):
    return _F("embedding")(indices, weight, None if padding_idx == -1 else padding_idx,
                           scale_grad_by_freq=scale_grad_by_freq, sparse=sparse)


def embedding_renorm_(input, indices, max_norm, norm_type):
    """Rescale in place the rows of ``input`` named by ``indices`` whose norm exceeds ``max_norm``."""
    from .autograd.grad_mode import no_grad
    from .ops.norms import vector_norm
    with no_grad():
        rows = indices.reshape(-1).unique()
        sel = input[rows]
        norms = vector_norm(sel, norm_type, 1, keepdim=True)
        scale = (max_norm / (norms + 1e-7)).clamp(max=1.0)
        input[rows] = sel * scale
    return input


def embedding_bag(weight, indices, offsets, scale_grad_by_freq=False, mode=0, sparse=False,
                  per_sample_weights=None, include_last_offset=False, padding_idx=None):
    """ATen form: returns (output, offset2bag, bag_size, max_indices); only output is meaningful here,
    the other three are empty int64 tensors."""
    from .ops.creation import empty
    modes = {0: "sum", 1: "mean", 2: "max"}
    out = _F("embedding_bag")(indices, weight, offsets, None, 2.0, scale_grad_by_freq, modes.get(mode, mode),
                              sparse, per_sample_weights, include_last_offset, padding_idx)
    return out, empty(0, dtype=dt.int64), empty(0, dtype=dt.int64), empty(0, dtype=dt.int64)


# ---- losses: reduction as an int ------------------------------------------------------------------
def kl_div(input, target, reduction=1, log_target=False):
    import warnings
    with warnings.catch_warnings():  # the 'mean' vs 'batchmean' warning is nn.functional's, not ATen's
        warnings.simplefilter("ignore")
        return _F("kl_div")(input, target, reduction=_reduction(reduction), log_target=log_target)


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction=1, zero_infinity=False):
    return _F("ctc_loss")(log_probs, targets, input_lengths, target_lengths, blank, _reduction(reduction),
                          zero_infinity)


def cosine_embedding_loss(input1, input2, target, margin=0.0, reduction=1):
    return _F("cosine_embedding_loss")(input1, input2, target, margin, reduction=_reduction(reduction))


def hinge_embedding_loss(input, target, margin=1.0, reduction=1):
    return _F("hinge_embedding_loss")(input, target, margin, reduction=_reduction(reduction))


def margin_ranking_loss(input1, input2, target, margin=0.0, reduction=1):
    return _F("margin_ranking_loss")(input1, input2, target, margin, reduction=_reduction(reduction))


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-06, swap=False, reduction=0):
    # (PyTorch's top-level binding defaults to no reduction here, unlike nn.functional)
    return _F("triplet_margin_loss")(anchor, positive, negative, margin, p, eps, swap,
                                     reduction=_reduction(reduction))


def poisson_nll_loss(input, target, log_input, full, eps, reduction):
    return _F("poisson_nll_loss")(input, target, log_input, full, eps=eps, reduction=_reduction(reduction))


def binary_cross_entropy_with_logits(input, target, weight=None, pos_weight=None, reduction=1):
    return _F("binary_cross_entropy_with_logits")(input, target, weight, reduction=_reduction(reduction),
                                                  pos_weight=pos_weight)


# ---- padding, convolution, sampling -----------------------------------------------------------------
def constant_pad_nd(input, pad, value=0):
    return _F("pad")(input, tuple(pad), "constant", value)


def convolution(input, weight, bias, stride, padding, dilation, transposed, output_padding, groups):
    """ATen's one convolution entry point: dispatches on the spatial rank and ``transposed``."""
    n = input.dim() - 2
    if transposed:
        return _F(f"conv_transpose{n}d")(input, weight, bias, stride, padding, output_padding, groups, dilation)
    return _F(f"conv{n}d")(input, weight, bias, stride, padding, dilation, groups)


_INTERP = {0: "bilinear", 1: "nearest", 2: "bicubic"}
_PADDING = {0: "zeros", 1: "border", 2: "reflection"}


def grid_sampler(input, grid, interpolation_mode, padding_mode, align_corners):
    return _F("grid_sample")(input, grid, _INTERP[interpolation_mode], _PADDING[padding_mode], align_corners)


grid_sampler_2d = grid_sampler
grid_sampler_3d = grid_sampler


def affine_grid_generator(theta, size, align_corners):
    return _F("affine_grid")(theta, list(size), align_corners)


# ---- recurrent cells (ATen forms: weights passed explicitly) -----------------------------------
def _linear(x, w, b):
    return _F("linear")(x, w, b)


def rnn_tanh_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    return (_linear(input, w_ih, b_ih) + _linear(hx, w_hh, b_hh)).tanh()


def rnn_relu_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    return (_linear(input, w_ih, b_ih) + _linear(hx, w_hh, b_hh)).relu()


def lstm_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One LSTM step; ``hx`` is (h, c); gates in PyTorch's order i, f, g, o."""
    h, c = hx
    gates = _linear(input, w_ih, b_ih) + _linear(h, w_hh, b_hh)
    i, f, g, o = gates.chunk(4, -1)
    c_new = f.sigmoid() * c + i.sigmoid() * g.tanh()
    return o.sigmoid() * c_new.tanh(), c_new


def gru_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One GRU step; gates in PyTorch's order r, z, n."""
    gi = _linear(input, w_ih, b_ih).chunk(3, -1)
    gh = _linear(hx, w_hh, b_hh).chunk(3, -1)
    r = (gi[0] + gh[0]).sigmoid()
    z = (gi[1] + gh[1]).sigmoid()
    n = (gi[2] + r * gh[2]).tanh()
    return (1 - z) * n + z * hx


# ---- top-level in-place forms: torch.exp_(x) is x.exp_() ---------------------------------------------
_INPLACE_NAMES = (
    "abs_", "acos_", "acosh_", "addmv_", "arccos_", "arccosh_", "arcsin_", "arcsinh_", "arctan_", "arctanh_",
    "asin_", "asinh_", "atan_", "atanh_", "ceil_", "clamp_", "clamp_max_", "clamp_min_", "clip_", "cos_",
    "cosh_", "deg2rad_", "erf_", "erfc_", "exp2_", "exp_", "expm1_", "fix_", "floor_", "frac_", "gcd_", "i0_",
    "lcm_", "ldexp_", "log10_", "log1p_", "log2_", "log_", "logit_", "nan_to_num_", "neg_", "negative_",
    "rad2deg_", "reciprocal_", "relu_", "round_", "rsqrt_", "sigmoid_", "sin_", "sinc_", "sinh_", "sqrt_",
    "square_", "tan_", "tanh_", "trunc_", "xlogy_", "resize_as_",
)


def _make_inplace_alias(name):
    def fn(input, *args, **kwargs):
        if not isinstance(input, Tensor):
            raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
        return getattr(input, name)(*args, **kwargs)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"``input.{name}(...)``: in place."
    return fn


for _name in _INPLACE_NAMES:
    globals()[_name] = _make_inplace_alias(_name)


# ---- CPU no-op / compatibility switches -------------------------------------------------------------
_state = {"matmul_precision": "highest", "warn_always": False, "anomaly": False, "anomaly_check_nan": True,
          "debug_mode": 0, "autocast_cpu_dtype": dt.bfloat16, "autocast_gpu_dtype": dt.float16,
          "autocast_cache": True, "autocast_enabled": {}}


def set_default_device(device):
    """Only the CPU (or None) is accepted: ember creates tensors on the CPU unless told otherwise."""
    if device is not None and str(device).split(":")[0] != "cpu":
        raise RuntimeError(f"ember: set_default_device({device!r}) is not supported; only 'cpu'")


def get_default_device():
    from ._device import device
    return device("cpu")


def set_float32_matmul_precision(precision):
    if precision not in ("highest", "high", "medium"):
        raise RuntimeError(f"Invalid value for float32 matmul precision: {precision}")
    _state["matmul_precision"] = precision


def get_float32_matmul_precision():
    return _state["matmul_precision"]


def set_warn_always(b):
    _state["warn_always"] = bool(b)


def is_warn_always_enabled():
    return _state["warn_always"]


def set_anomaly_enabled(enabled, check_nan=True):
    _state["anomaly"], _state["anomaly_check_nan"] = bool(enabled), bool(check_nan)


def is_anomaly_enabled():
    return _state["anomaly"]


def is_anomaly_check_nan_enabled():
    return _state["anomaly_check_nan"]


def set_deterministic_debug_mode(debug_mode):
    modes = {"default": 0, "warn": 1, "error": 2}
    if isinstance(debug_mode, str):
        if debug_mode not in modes:
            raise RuntimeError(f"invalid value of debug_mode, expected one of `default`, `warn`, `error`, but got "
                               f"{debug_mode}")
        debug_mode = modes[debug_mode]
    if debug_mode not in (0, 1, 2):
        raise RuntimeError(f"invalid value of debug_mode, expected 0, 1, or 2, but got {debug_mode}")
    _state["debug_mode"] = debug_mode


def get_deterministic_debug_mode():
    return _state["debug_mode"]


def is_deterministic_algorithms_warn_only_enabled():
    return False


def set_flush_denormal(mode):
    """NumPy cannot switch the CPU's denormal mode: reports it as unsupported (False)."""
    return False


def is_vulkan_available():
    return False


def init_num_threads():
    pass


class autocast(contextlib.ContextDecorator):
    """Mixed-precision region. On ember's CPU path this is a no-op: ops keep their input dtypes.
    Accepted so PyTorch code using ``torch.autocast(...)`` runs unchanged."""

    def __init__(self, device_type="cpu", dtype=None, enabled=True, cache_enabled=None):
        self.device_type, self.fast_dtype, self._enabled = device_type, dtype, enabled

    def __enter__(self):
        self._prev = _state["autocast_enabled"].get(self.device_type, False)
        _state["autocast_enabled"][self.device_type] = bool(self._enabled)
        return self

    def __exit__(self, *exc):
        _state["autocast_enabled"][self.device_type] = self._prev
        return False


def is_autocast_enabled(device_type=None):
    return _state["autocast_enabled"].get(device_type or "cuda", False)


def set_autocast_enabled(device_type_or_enabled, enabled=None):
    if enabled is None:
        device_type_or_enabled, enabled = "cuda", device_type_or_enabled
    _state["autocast_enabled"][device_type_or_enabled] = bool(enabled)


def is_autocast_cpu_enabled():
    return _state["autocast_enabled"].get("cpu", False)


def set_autocast_cpu_enabled(enabled):
    _state["autocast_enabled"]["cpu"] = bool(enabled)


def get_autocast_dtype(device_type):
    return _state["autocast_cpu_dtype"] if device_type == "cpu" else _state["autocast_gpu_dtype"]


def set_autocast_dtype(device_type, dtype):
    _state["autocast_cpu_dtype" if device_type == "cpu" else "autocast_gpu_dtype"] = dtype


def get_autocast_cpu_dtype():
    return _state["autocast_cpu_dtype"]


def set_autocast_cpu_dtype(dtype):
    _state["autocast_cpu_dtype"] = dtype


def get_autocast_gpu_dtype():
    return _state["autocast_gpu_dtype"]


def set_autocast_gpu_dtype(dtype):
    _state["autocast_gpu_dtype"] = dtype


def is_autocast_cache_enabled():
    return _state["autocast_cache"]


def set_autocast_cache_enabled(enabled):
    _state["autocast_cache"] = bool(enabled)


def clear_autocast_cache():
    pass


_nesting = [0]


def autocast_increment_nesting():
    _nesting[0] += 1
    return _nesting[0]


def autocast_decrement_nesting():
    _nesting[0] -= 1
    return _nesting[0]


def _unsupported_backend(name, result=False):
    def fn(*args):
        return result
    fn.__name__ = name
    return fn


is_autocast_ipu_enabled = _unsupported_backend("is_autocast_ipu_enabled")
is_autocast_xla_enabled = _unsupported_backend("is_autocast_xla_enabled")
set_autocast_ipu_enabled = _unsupported_backend("set_autocast_ipu_enabled", None)
set_autocast_xla_enabled = _unsupported_backend("set_autocast_xla_enabled", None)
get_autocast_ipu_dtype = _unsupported_backend("get_autocast_ipu_dtype", dt.bfloat16)
get_autocast_xla_dtype = _unsupported_backend("get_autocast_xla_dtype", dt.bfloat16)
set_autocast_ipu_dtype = _unsupported_backend("set_autocast_ipu_dtype", None)
set_autocast_xla_dtype = _unsupported_backend("set_autocast_xla_dtype", None)


class _Future:
    def __init__(self, value):
        self._value = value

    def wait(self):
        return self._value

    def value(self):
        return self._value

    def done(self):
        return True


def fork(func, *args, **kwargs):
    """Runs ``func`` now (ember has no TorchScript threads); ``wait`` returns its result."""
    return _Future(func(*args, **kwargs))


def wait(future):
    return future.wait()


def vmap(func, in_dims=0, out_dims=0, randomness="error", *, chunk_size=None):
    """Maps ``func`` over a batch dim by calling it once per slice and stacking the results."""
    from .ops.shape import stack

    def mapped(*args):
        dims = in_dims if isinstance(in_dims, (tuple, list)) else (in_dims,) * len(args)
        sizes = {a.shape[d] for a, d in zip(args, dims) if d is not None and isinstance(a, Tensor)}
        if len(sizes) != 1:
            raise ValueError(f"vmap: Expected all tensors to have the same size in the mapped dimension, got "
                             f"sizes {sorted(sizes)} for the mapped dimension")
        n = sizes.pop()
        results = [func(*[a.select(d, i) if d is not None and isinstance(a, Tensor) else a
                          for a, d in zip(args, dims)]) for i in range(n)]
        if isinstance(results[0], tuple):
            outs = out_dims if isinstance(out_dims, (tuple, list)) else (out_dims,) * len(results[0])
            return tuple(stack([r[k] for r in results], od) for k, od in enumerate(outs))
        return stack(results, out_dims)
    return mapped


__all__ = [n for n in list(globals()) if not n.startswith("_") and n not in (
    "contextlib", "importlib", "dt", "Tensor")]
