"""Variable-length sequences for recurrent layers: padding, packing and their inverses.

A PackedSequence stores a batch of sequences sorted longest first, time step by time
step: ``data`` holds, for each step ``t``, the rows of the ``batch_sizes[t]`` sequences
still running. Packing and unpacking are row gathers/scatters over the flattened
(time, batch) grid, each the other's gradient.
"""
from collections import namedtuple

from ..._backend import np
from ..._tensor import Tensor
from ...autograd.function import Op

__all__ = ["PackedSequence", "invert_permutation", "pack_padded_sequence", "pad_packed_sequence",
           "pad_sequence", "unpad_sequence", "pack_sequence", "unpack_sequence"]


def _bind(value, fn):
    return None if value is None else fn(value)


class PackedSequence(namedtuple("PackedSequence", ["data", "batch_sizes", "sorted_indices",
                                                   "unsorted_indices"])):
    """Holds the data and ``batch_sizes`` of a packed batch of sequences.

    Build one with :func:`pack_padded_sequence` or :func:`pack_sequence`, not by hand.
    """

    __slots__ = ()

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        return super().__new__(cls, *_init_args(data, batch_sizes, sorted_indices, unsorted_indices))

    def _with_data(self, data, move_indices=False):
        if move_indices:
            dev = data.device
            return type(self)(data, self.batch_sizes, _bind(self.sorted_indices, lambda t: t.to(dev)),
                              _bind(self.unsorted_indices, lambda t: t.to(dev)))
        return type(self)(data, self.batch_sizes, self.sorted_indices, self.unsorted_indices)

    def pin_memory(self):
        return type(self)(self.data.pin_memory(), self.batch_sizes,
                          _bind(self.sorted_indices, lambda t: t.pin_memory()),
                          _bind(self.unsorted_indices, lambda t: t.pin_memory()))

    def to(self, *args, **kwargs):
        """Convert ``data`` like ``Tensor.to``; returns ``self`` when nothing changes."""
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        return self._with_data(data, move_indices=True)

    def cuda(self, *args, **kwargs):
        return self._with_data(self.data.cuda(*args, **kwargs), move_indices=True)

    def cpu(self, *args, **kwargs):
        return self._with_data(self.data.cpu(*args, **kwargs), move_indices=True)

    def double(self):
        return self.to(dtype=_dtype("float64"))

    def float(self):
        return self.to(dtype=_dtype("float32"))

    def half(self):
        return self.to(dtype=_dtype("float16"))

    def long(self):
        return self.to(dtype=_dtype("int64"))

    def int(self):
        return self.to(dtype=_dtype("int32"))

    def short(self):
        return self.to(dtype=_dtype("int16"))

    def char(self):
        return self.to(dtype=_dtype("int8"))

    def byte(self):
        return self.to(dtype=_dtype("uint8"))

    @property
    def is_cuda(self):
        return self.data.is_cuda

    def is_pinned(self):
        return self.data.is_pinned()


def _dtype(name):
    from ... import _dtype as dt
    return getattr(dt, name)


def _init_args(data, batch_sizes, sorted_indices, unsorted_indices):
    if unsorted_indices is None:
        unsorted_indices = invert_permutation(sorted_indices)
    if batch_sizes is not None:
        if batch_sizes.device.type != "cpu":
            raise ValueError("batch_sizes should always be on CPU. Instances of PackedSequence should never "
                             "be created manually. They should be instantiated by functions like "
                             "pack_sequence and pack_padded_sequences in nn.utils.rnn. "
                             "https://pytorch.org/docs/stable/nn.html#torch.nn.utils.rnn.pack_sequence")
        return data, batch_sizes, sorted_indices, unsorted_indices
    if not (isinstance(data, (list, tuple)) and len(data) == 2):
        raise AssertionError("Expected data to be a list or tuple of length 2")
    return data[0], data[1], sorted_indices, unsorted_indices


def invert_permutation(permutation):
    """The inverse of a 1-D permutation tensor (``None`` stays ``None``)."""
    if permutation is None:
        return None
    p = permutation._data
    out = np.empty_like(p)
    out[p] = np.arange(p.size, dtype=p.dtype)
    return Tensor._make(out)


# --- row gather / scatter over the flattened leading two dims ---------------------------

class PackPaddedSequence(Op):
    """Rows ``idx`` of ``a`` viewed as (a.shape[0] * a.shape[1], *rest)."""

    @staticmethod
    def forward(ctx, a, idx):
        ctx.idx, ctx.shape = idx, a.shape
        return a.reshape((-1,) + a.shape[2:])[idx]

    @staticmethod
    def backward(ctx, g):
        return _ScatterRows.apply(g, ctx.idx, ctx.shape, 0.0), None


class _ScatterRows(Op):
    """Place the rows of ``g`` at ``idx`` of a ``shape`` array filled with ``fill``."""

    @staticmethod
    def forward(ctx, g, idx, shape, fill):
        ctx.idx = idx
        out = np.full((shape[0] * shape[1],) + tuple(shape[2:]), fill, dtype=g.dtype)
        out[idx] = g
        return out.reshape(shape)

    @staticmethod
    def backward(ctx, g):
        return PackPaddedSequence.apply(g, ctx.idx), None, None, None


def _packed_rows(batch_sizes, batch_first, n_time, n_batch):
    """Flat (time, batch) or (batch, time) positions of each packed row, in packed order."""
    bs = np.asarray(batch_sizes, dtype=np.int64)
    total = int(bs.sum())
    t = np.repeat(np.arange(bs.size, dtype=np.int64), bs)
    starts = np.concatenate(([0], np.cumsum(bs)[:-1]))
    b = np.arange(total, dtype=np.int64) - np.repeat(starts, bs)
    return b * n_time + t if batch_first else t * n_batch + b


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """Pack a padded batch (``T x B x *``, or ``B x T x *`` if ``batch_first``) of sequences.

    Args:
        input (Tensor): padded batch of variable length sequences.
        lengths (Tensor or list(int)): length of each sequence.
        batch_first (bool, optional): input is ``B x T x *``. Default: ``False``.
        enforce_sorted (bool, optional): require lengths sorted longest first; when ``False``
            the batch is sorted here and the permutation kept. Default: ``True``.
    """
    if isinstance(lengths, Tensor):
        lens = lengths._data
        if lens.ndim != 1:
            raise RuntimeError(f"'lengths' argument should be a 1D CPU int64 tensor, but got {lens.ndim}D "
                               f"cpu {_type_name(lengths)} tensor")
        lens = lens.astype(np.int64)
    else:
        lens = np.asarray([int(x) for x in lengths], dtype=np.int64)
    sorted_indices = None
    if not enforce_sorted:
        order = np.argsort(-lens, kind="stable")
        lens = lens[order]
        sorted_indices = Tensor._make(order.astype(np.int64))
        input = input.index_select(0 if batch_first else 1, sorted_indices)
    n_batch = input.shape[0 if batch_first else 1]
    n_time = input.shape[1 if batch_first else 0]
    if lens.size != n_batch:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got {lens.size} "
                           f"(batch_size={n_batch})")
    if lens.size and lens.min() <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element in "
                           "'lengths' that is <= 0")
    if enforce_sorted and np.any(lens[1:] > lens[:-1]):
        raise RuntimeError("`lengths` array must be sorted in decreasing order when `enforce_sorted` is "
                           "True. You can pass `enforce_sorted=False` to pack_padded_sequence and/or "
                           "pack_sequence to sidestep this requirement if you do not need ONNX "
                           "exportability.")
    if lens.size and lens[0] > n_time:
        raise RuntimeError(f"a sequence length ({int(lens[0])}) exceeds the padded length of the "
                           f"input ({n_time})")
    max_len = int(lens[0]) if lens.size else 0
    batch_sizes = (lens[None, :] > np.arange(max_len)[:, None]).sum(1).astype(np.int64)
    idx = _packed_rows(batch_sizes, batch_first, n_time, n_batch)
    data = PackPaddedSequence.apply(input, idx)
    return PackedSequence(data, Tensor._make(batch_sizes), sorted_indices, None)


def _type_name(t):
    from ...ops._common import type_word
    return type_word(t.dtype)


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """Inverse of :func:`pack_padded_sequence`: returns ``(padded, lengths)``.

    Args:
        sequence (PackedSequence): batch to pad.
        batch_first (bool, optional): output is ``B x T x *``. Default: ``False``.
        padding_value (float, optional): value of padded elements. Default: ``0.0``.
        total_length (int, optional): pad to this length instead of the longest sequence's.
    """
    bs = sequence.batch_sizes._data.astype(np.int64)
    max_len = bs.size
    if total_length is not None:
        if total_length < max_len:
            raise ValueError("Expected total_length to be at least the length of the longest sequence in "
                             f"input, but got total_length={total_length} and max sequence length being "
                             f"{max_len}")
        max_len = total_length
    n_batch = int(bs[0]) if bs.size else 0
    data = sequence.data
    idx = _packed_rows(bs, batch_first, max_len, n_batch)
    rest = tuple(data.shape[1:])
    shape = ((n_batch, max_len) if batch_first else (max_len, n_batch)) + rest
    padded = _ScatterRows.apply(data, idx, shape, padding_value)
    lengths = (bs[None, :] > np.arange(n_batch)[:, None]).sum(1).astype(np.int64)
    if sequence.unsorted_indices is not None:
        unsorted = sequence.unsorted_indices
        padded = padded.index_select(0 if batch_first else 1, unsorted)
        lengths = lengths[unsorted._data]
    return padded, Tensor._make(lengths)


class PadSequence(Op):
    @staticmethod
    def forward(ctx, batch_first, padding_value, left, *seqs):
        lens = [s.shape[0] for s in seqs]
        rest = seqs[0].shape[1:]
        for s in seqs[1:]:
            if s.shape[1:] != rest:
                bad = next(i for i in range(len(rest)) if s.shape[1 + i] != rest[i])
                raise RuntimeError(f"The size of tensor a ({rest[bad]}) must match the size of tensor b "
                                   f"({s.shape[1 + bad]}) at non-singleton dimension {bad + 1}")
        dtype = np.result_type(*[s.dtype for s in seqs])
        max_len = max(lens)
        out = np.full((len(seqs), max_len) + tuple(rest), padding_value, dtype=dtype)
        for i, s in enumerate(seqs):
            if left:
                out[i, max_len - lens[i]:] = s
            else:
                out[i, :lens[i]] = s
        ctx.lens, ctx.max_len, ctx.left, ctx.batch_first = lens, max_len, left, batch_first
        return out if batch_first else np.ascontiguousarray(out.swapaxes(0, 1))

    @staticmethod
    def backward(ctx, g):
        grads = []
        for i, n in enumerate(ctx.lens):
            rows = slice(ctx.max_len - n, None) if ctx.left else slice(0, n)
            grads.append(g[i, rows] if ctx.batch_first else g[rows, i])
        return (None, None, None, *grads)


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Stack variable-length tensors (``L_i x *``) into one padded tensor.

    Args:
        sequences (list[Tensor]): the sequences.
        batch_first (bool, optional): output is ``B x T x *`` instead of ``T x B x *``. Default: ``False``.
        padding_value (float, optional): value of padded elements. Default: ``0``.
        padding_side (str, optional): ``'right'`` or ``'left'``. Default: ``'right'``.
    """
    if isinstance(sequences, Tensor):
        sequences = sequences.unbind(0)
    try:
        sequences = tuple(sequences)
    except TypeError:
        raise RuntimeError("pad_sequence: Expected iterable for input sequences, but got arg of type: "
                           f"{type(sequences)}") from None
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    if padding_side not in ("left", "right"):
        raise RuntimeError(f"Expected padding_side to be one of left or right, but got {padding_side}.")
    return PadSequence.apply(bool(batch_first), padding_value, padding_side == "left", *sequences)


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    """Split a padded batch back into a list of tensors of the given lengths."""
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    lens = lengths.tolist() if isinstance(lengths, Tensor) else list(lengths)
    return [seq[:int(n)] for seq, n in zip(padded_sequences, lens)]


def pack_sequence(sequences, enforce_sorted=True):
    """Pack a list of variable-length tensors (``L_i x *``) into a PackedSequence."""
    lengths = [s.size(0) for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences):
    """Inverse of :func:`pack_sequence`: a list of tensors in their original order."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
