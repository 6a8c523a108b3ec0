"""F.linear and F.bilinear: the affine maps behind nn.Linear and nn.Bilinear."""
from .linalg import Addmm, addmm, matmul

__all__ = ["linear", "bilinear"]


def linear(input, weight, bias=None):
    """y = x A^T + b. 2-D input with bias is one ``addmm`` (grad_fn AddmmBackward0, as in PyTorch)."""
    if input._data.ndim == 2 and bias is not None:
        x, w, b = input._data, weight._data, bias._data
        if w.ndim == 2 and b.shape == w.shape[:1] and x.shape[1] == w.shape[1] and x.dtype == w.dtype:
            # The common nn.Linear case: every check addmm makes holds; skip straight to the op.
            return Addmm.apply(bias, input, weight.t(), 1, 1)
        return addmm(bias, input, weight.t())
    if bias is not None and input._data.ndim > 2 and input._data.flags.c_contiguous:
        # Fold the batch dims into one GEMM, then view back (PyTorch does the same).
        shape = input._data.shape
        if shape[-1] != weight._data.shape[-1]:
            _shape_error(input, weight)
        out = Addmm.apply(bias, input.reshape(-1, shape[-1]), weight.t(), 1, 1)
        return out.view(*shape[:-1], weight._data.shape[0])
    if input._data.ndim >= 1 and weight._data.ndim == 2 and input._data.shape[-1] != weight._data.shape[-1]:
        _shape_error(input, weight)
    out = matmul(input, weight.t())
    if bias is not None:
        out = out + bias
    return out


def _shape_error(input, weight):
    rows = 1
    for s in input._data.shape[:-1]:
        rows *= s
    raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{input._data.shape[-1]} and "
                       f"{weight._data.shape[1]}x{weight._data.shape[0]})")


def bilinear(input1, input2, weight, bias=None):
    """y = x1^T A x2 + b for every output feature; one GEMM plus a reduction."""
    if input1._data.ndim != input2._data.ndim:
        raise RuntimeError(f"bilinear(): input dimensions do not match: got {input1.dim()} and {input2.dim()}")
    if input1._data.shape[:-1] != input2._data.shape[:-1]:
        raise RuntimeError(f"bilinear(): input batch dimensions do not match: got {list(input1.shape[:-1])} and "
                           f"{list(input2.shape[:-1])}")
    out_f, in1, in2 = weight._data.shape
    if input1._data.shape[-1] != in1:
        raise RuntimeError(f"bilinear(): input1 size does not match weight size: got {input1.shape[-1]} but "
                           f"expected {in1}")
    if input2._data.shape[-1] != in2:
        raise RuntimeError(f"bilinear(): input2 size does not match weight size: got {input2.shape[-1]} but "
                           f"expected {in2}")
    # t[..., o, j] = sum_i x1[..., i] W[o, i, j]
    t = matmul(input1, weight.permute(1, 0, 2).reshape(in1, out_f * in2))
    t = t.reshape(*input1.shape[:-1], out_f, in2)
    out = (t * input2.unsqueeze(-2)).sum(-1)
    if bias is not None:
        out = out + bias
    return out
