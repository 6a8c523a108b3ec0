"""Sampling functions and in-place random fills, drawing from ember.random's generators
in the same order and with the same recipes as PyTorch's CPU kernels."""
from .. import _dtype as dt
from .. import _rng
from .._backend import np
from .._tensor import Tensor
from ..random import engine_of
from ._common import apply_inplace
from .creation import _size_args
from .pointwise import Copy

BF16 = dt.bfloat16.np_dtype


def _recipe_dtype(np_dtype):
    """The dtype argument the sampling recipes take (bfloat16 has its own recipe)."""
    return _rng.BFLOAT16 if np_dtype == BF16 else np_dtype


def _as_dtype_array(values, np_dtype):
    return values.astype(np_dtype) if values.dtype != np_dtype else values


def _float_dtype(dtype):
    d = dt.to_dtype(dtype) if dtype is not None else dt.get_default_dtype()
    if d.category != dt.FLOAT:
        raise RuntimeError(f"\"check_uniform_bounds\" not implemented for '{d.name.capitalize()}'")
    return d


def _finish(values, np_dtype, requires_grad):
    t = Tensor._make(_as_dtype_array(values, np_dtype))
    if requires_grad:
        t.requires_grad = True
    return t


def rand(*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False):
    d = _float_dtype(dtype)
    shape = _size_args(size)
    return _finish(_rng.uniform(engine_of(generator), shape, _recipe_dtype(d.np_dtype)), d.np_dtype, requires_grad)


def _preserved_layout(input):
    """The axis order ``torch.empty_like`` (preserve_format) gives a copy of ``input``.

    A non-overlapping, dense input keeps its stride order (a transposed tensor gets a
    transposed result, filled in memory order); anything else gets row-major. Returns
    None for row-major, else the axes from the outermost to the innermost in memory.
    """
    arr = input._data
    if arr.flags.c_contiguous or arr.ndim < 2:
        return None
    axes = sorted(range(arr.ndim), key=lambda a: (-abs(arr.strides[a]), a))
    expected = arr.itemsize
    for a in reversed(axes):
        if arr.shape[a] != 1 and abs(arr.strides[a]) != expected:
            return None
        expected *= arr.shape[a]
    return axes


def _like(input, draw):
    """A tensor laid out like ``empty_like(input)``, filled by ``draw(shape, contiguous)`` in memory order."""
    axes = _preserved_layout(input)
    if axes is None:
        return draw(tuple(input.shape), True)
    values = draw(tuple(input.shape[a] for a in axes), False)
    return Tensor._make(values._data.transpose(np.argsort(axes)))


def rand_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None,
              generator=None):
    t = _like(input, lambda shape, _: rand(shape, generator=generator, dtype=dtype or input.dtype))
    return t.requires_grad_() if requires_grad else t


def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False):
    d = _float_dtype(dtype)
    shape = _size_args(size)
    return _finish(_rng.normal(engine_of(generator), shape, _recipe_dtype(d.np_dtype)), d.np_dtype, requires_grad)


def randn_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None,
               generator=None):
    d = _float_dtype(dtype or input.dtype)

    def draw(shape, contiguous):
        # A non-contiguous result goes down PyTorch's scalar Box-Muller path.
        values = _rng.normal(engine_of(generator), shape, _recipe_dtype(d.np_dtype), contiguous=contiguous)
        return Tensor._make(_as_dtype_array(values, d.np_dtype))
    t = _like(input, draw)
    return t.requires_grad_() if requires_grad else t


def randint(*args, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
            size=None, low=None, high=None, pin_memory=False):
    """``randint(high, size)`` or ``randint(low, high, size)``: integers in [low, high)."""
    pos = list(args)
    if size is None and pos and isinstance(pos[-1], (tuple, list)):
        size = pos.pop()
    if high is None and pos:
        high = pos.pop()
    if low is None:
        low = pos.pop() if pos else 0
    if size is None or high is None:
        raise TypeError("randint() missing required arguments: 'high' and 'size'")
    low, high = int(low), int(high)
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    d = dt.to_dtype(dtype) if dtype is not None else dt.int64
    values = _rng.randint(engine_of(generator), _size_args((size,)), low, high, _recipe_dtype(d.np_dtype))
    return _finish(values, d.np_dtype, requires_grad)


def randint_like(input, low=0, high=None, *, dtype=None, layout=None, device=None, requires_grad=False,
                 memory_format=None, generator=None):
    if high is None:
        low, high = 0, low
    t = _like(input, lambda shape, _: randint(low, high, shape, generator=generator, dtype=dtype or input.dtype))
    return t.requires_grad_() if requires_grad else t


def randperm(n, *, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
             pin_memory=False):
    if n < 0:
        raise RuntimeError(f"n must be non-negative, got{n}")
    d = dt.to_dtype(dtype) if dtype is not None else dt.int64
    return _finish(_rng.randperm(engine_of(generator), n, _recipe_dtype(d.np_dtype)), d.np_dtype, requires_grad)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, out=None, dtype=None, layout=None, device=None,
           requires_grad=False, pin_memory=False):
    """Normal samples; mean and std may be tensors (broadcast) or numbers (then give ``size``)."""
    engine = engine_of(generator)
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        ref = mean if isinstance(mean, Tensor) else std
        d = ref.dtype
        if isinstance(std, Tensor) and bool((std._data < 0).any()):
            raise RuntimeError("normal expects all elements of std >= 0.0")
        m = mean._data if isinstance(mean, Tensor) else float(mean)
        s = std._data if isinstance(std, Tensor) else float(std)
        if not isinstance(m, np.ndarray) and not isinstance(s, np.ndarray):
            raise TypeError("normal() needs a tensor mean or std")
        values = _rng.normal_from_tensors(engine, m, s, _recipe_dtype(d.np_dtype))
        return _finish(values, d.np_dtype, requires_grad)
    if size is None:
        raise TypeError("normal() received an invalid combination of arguments: give a size with float mean "
                        "and std")
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    d = _float_dtype(dtype)
    values = _rng.normal(engine, _size_args((size,)), _recipe_dtype(d.np_dtype), float(mean), float(std))
    return _finish(values, d.np_dtype, requires_grad)


def bernoulli(input, p=None, *, generator=None, out=None):
    """Samples of 0/1 with probabilities ``input`` (or the number ``p``), in input's dtype."""
    engine = engine_of(generator)
    if p is None:
        probs = input._data
        if probs.size and (probs.min() < 0 or probs.max() > 1):
            raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
        values = _rng.bernoulli(engine, probs if probs.dtype != BF16 else probs.astype(np.float32),
                                probs.shape, _recipe_dtype(probs.dtype))
    else:
        values = _rng.bernoulli(engine, float(p), input._data.shape, _recipe_dtype(input._data.dtype))
    return Tensor._make(_as_dtype_array(values, input._data.dtype))


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    if input.dim() not in (1, 2):
        raise RuntimeError(f"prob_dist must be 1 or 2 dim")
    if input.dtype.category != dt.FLOAT:
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: "
                           f"{input.dtype.name.capitalize()}")
    try:
        samples = _rng.multinomial(engine_of(generator), input._data, int(num_samples), bool(replacement))
    except ValueError as exc:
        raise RuntimeError(str(exc)) from None
    if input.dim() == 1:
        samples = samples.reshape(-1)
    return Tensor._make(samples.astype(np.int64))


def poisson(input, generator=None):
    raise NotImplementedError("ember.poisson is not implemented: PyTorch's CPU Poisson sampler "
                              "(a transformed-rejection loop per element) is not replicated yet")


# ---- in-place fills ---------------------------------------------------------------------------

def _storage_order(t):
    """(shape, axes) that visit ``t``'s elements in memory order, as PyTorch's fill kernels do."""
    arr = t._data
    if arr.flags.c_contiguous or arr.ndim < 2:
        return arr.shape, None
    axes = sorted(range(arr.ndim), key=lambda a: (-abs(arr.strides[a]), a))
    return tuple(arr.shape[a] for a in axes), axes


def _fill(self, draw):
    """Fill ``self`` with ``draw(shape)`` values laid out in memory order."""
    shape, axes = _storage_order(self)
    values = draw(shape)
    if axes is not None:
        inverse = np.argsort(axes)
        values = values.reshape(shape).transpose(inverse)
    values = _as_dtype_array(np.asarray(values).reshape(self._data.shape), self._data.dtype)
    return apply_inplace(Copy, self, Tensor._make(values))


def uniform_(self, from_=0.0, to=1.0, *, generator=None, **kw):
    from_ = kw.pop("from", from_)
    if from_ > to:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found from={from_} > to={to}")
    engine = engine_of(generator)
    rd = _recipe_dtype(self._data.dtype)
    return _fill(self, lambda shape: _rng.uniform(engine, shape, rd, float(from_), float(to)))


def normal_(self, mean=0.0, std=1.0, *, generator=None):
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    engine = engine_of(generator)
    rd = _recipe_dtype(self._data.dtype)
    contiguous = bool(self._data.flags.c_contiguous)
    return _fill(self, lambda shape: _rng.normal(engine, shape, rd, float(mean), float(std),
                                                 contiguous=contiguous))


def random_(self, from_=None, to=None, *, generator=None, **kw):
    from_ = kw.pop("from", from_)
    if from_ is not None and to is None:
        low, high = 0, from_  # random_(to)
    else:
        low, high = from_, to
    if low is not None and high is not None and low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    engine = engine_of(generator)
    rd = _recipe_dtype(self._data.dtype)
    return _fill(self, lambda shape: _rng.random_(engine, shape, rd, low, high))


def bernoulli_(self, p=0.5, *, generator=None):
    engine = engine_of(generator)
    rd = _recipe_dtype(self._data.dtype)
    if isinstance(p, Tensor):
        probs = np.broadcast_to(p._data if p._data.dtype != BF16 else p._data.astype(np.float32),
                                self._data.shape)
        axes = _storage_order(self)[1]
        if axes is not None:  # pair each probability with its element in the memory-order draw
            probs = probs.transpose(axes)
        return _fill(self, lambda shape: _rng.bernoulli(engine, probs, shape, rd))
    if not 0 <= p <= 1:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p}")
    return _fill(self, lambda shape: _rng.bernoulli(engine, float(p), shape, rd))


def exponential_(self, lambd=1.0, *, generator=None):
    if lambd <= 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={lambd}")
    engine = engine_of(generator)
    rd = _recipe_dtype(self._data.dtype)
    return _fill(self, lambda shape: _rng.exponential(engine, shape, rd, float(lambd)))


def geometric_(self, p, *, generator=None):
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={p}")
    engine = engine_of(generator)
    rd = _recipe_dtype(self._data.dtype)
    return _fill(self, lambda shape: _rng.geometric(engine, shape, rd, float(p)))


def log_normal_(self, mean=1.0, std=2.0, *, generator=None):
    engine = engine_of(generator)
    rd = _recipe_dtype(self._data.dtype)
    return _fill(self, lambda shape: _rng.log_normal(engine, shape, rd, float(mean), float(std)))


def cauchy_(self, median=0.0, sigma=1.0, *, generator=None):
    engine = engine_of(generator)
    rd = _recipe_dtype(self._data.dtype)
    return _fill(self, lambda shape: _rng.cauchy(engine, shape, rd, float(median), float(sigma)))


def _bernoulli_method(self, p=None, *, generator=None):
    return bernoulli(self, p, generator=generator)


__all__ = ["rand", "rand_like", "randn", "randn_like", "randint", "randint_like", "randperm", "normal",
           "bernoulli", "multinomial", "poisson"]
METHODS = ["uniform_", "normal_", "random_", "bernoulli_", "exponential_", "geometric_", "log_normal_",
           "cauchy_", "multinomial"]
