"""What every loss shares: the reduction argument (one helper, as MLX's losses do),
PyTorch's legacy ``size_average``/``reduce`` flags, and small array/Tensor helpers."""
import warnings

from .._backend import np
from .._tensor import Tensor
from ..autograd.grad_mode import state as grad_state
from .shape import broadcast_tensors

REDUCTIONS = ("none", "mean", "sum")


def check_reduction(reduction):
    if reduction not in REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def legacy_reduction(size_average, reduce, reduction, validate=True):
    """The reduction string, honouring the deprecated ``size_average`` / ``reduce`` flags."""
    if size_average is None and reduce is None:
        return check_reduction(reduction) if validate else reduction
    warnings.warn("size_average and reduce args will be deprecated, please use reduction='"
                  + _legacy_string(size_average, reduce) + "' instead.", stacklevel=3)
    return _legacy_string(size_average, reduce)


def _legacy_string(size_average, reduce):
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if not reduce:
        return "none"
    return "mean" if size_average else "sum"


def _reduce(loss, reduction):
    """Apply ``reduction`` ('none' | 'mean' | 'sum') to an elementwise loss Tensor."""
    if reduction == "none":
        return loss
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    raise ValueError(f"{reduction} is not a valid value for reduction")


def reduce_array(loss, reduction):
    """``_reduce`` for a fused op's forward, on arrays (keeps the dtype, returns an array)."""
    if reduction == "none":
        return loss
    with np.errstate(invalid="ignore", divide="ignore"):
        value = loss.mean() if reduction == "mean" else loss.sum()
    return np.asarray(value, dtype=loss.dtype)


def scale_grad(g, reduction, count):
    """The upstream gradient of a fused op, as seen by each element of the unreduced loss."""
    if reduction == "mean":
        return g / count if count else g * float("nan")
    return g


def broadcast_pair(input, target):
    """``(input, target)`` broadcast to one shape (unchanged when they already agree)."""
    if tuple(input.shape) == tuple(target.shape):
        return input, target
    return broadcast_tensors(input, target)


def const(array):
    """Wrap a constant helper array (mask, weight row) as a Tensor for a backward rule."""
    return Tensor._make(array)


def as_bool_tensor(array):
    return Tensor._make(np.asarray(array, dtype=bool))


def shape_str(shape):
    return "[" + ", ".join(str(int(s)) for s in shape) + "]"


def size_str(shape):
    return "torch.Size([" + ", ".join(str(int(s)) for s in shape) + "])"


def warn_target_size(input, target):
    if tuple(target.shape) != tuple(input.shape):
        warnings.warn(f"Using a target size ({size_str(target.shape)}) that is different to the input size "
                      f"({size_str(input.shape)}). This will likely lead to incorrect results due to "
                      "broadcasting. Please ensure they have the same size.", stacklevel=3)


def check_not_differentiable(fn_name, arg_name, t):
    """PyTorch refuses (at call time) inputs that require grad where it has no derivative."""
    if isinstance(t, Tensor) and t.requires_grad and grad_state.enabled:
        raise RuntimeError(f"The function '{fn_name}' is not differentiable with respect to argument "
                           f"'{arg_name}'. This input cannot have requires_grad True.")
