"""Property tests against PyTorch: broadcasting of binary ops, reshape/permute/transpose chains,
getitem/setitem index expressions (random shapes and indices, bounded example counts)."""
import numpy as np
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oracle import assert_same_error, compare

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

BINARY = [lambda lib, a, b: a + b, lambda lib, a, b: a * b, lambda lib, a, b: a - b,
          lambda lib, a, b: a / (b.abs() + 0.5), lambda lib, a, b: lib.maximum(a, b), lambda lib, a, b: lib.atan2(a, b),
          lambda lib, a, b: lib.where(a > b, a, b * 2)]


@st.composite
def broadcastable_shapes(draw):
    """Two shapes that broadcast: drop leading dims and set some dims to 1 in each."""
    base = draw(st.lists(st.integers(1, 4), min_size=0, max_size=4))
    a, b = list(base), list(base)
    for shape in (a, b):
        for i in range(len(shape)):
            if draw(st.booleans()):
                shape[i] = 1
    a = a[draw(st.integers(0, len(a))):]
    b = b[draw(st.integers(0, len(b))):]
    return tuple(a), tuple(b)


@SETTINGS
@given(shapes=broadcastable_shapes(), op=st.integers(0, len(BINARY) - 1), seed=st.integers(0, 2 ** 16))
def test_binary_ops_broadcast_like_torch(shapes, op, seed):
    rng = np.random.default_rng(seed)
    a, b = rng.standard_normal(shapes[0]), rng.standard_normal(shapes[1])
    compare(BINARY[op], np.asarray(a), np.asarray(b))


@SETTINGS
@given(sa=st.lists(st.integers(1, 4), min_size=1, max_size=3), sb=st.lists(st.integers(2, 4), min_size=1, max_size=3))
def test_non_broadcastable_shapes_raise_like_torch(sa, sb):
    try:
        np.broadcast_shapes(tuple(sa), tuple(sb))
    except ValueError:
        assert_same_error(lambda lib: lib.zeros(*sa) + lib.zeros(*sb), match="must match the size of tensor b")


@st.composite
def shape_chains(draw):
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=4)))
    steps = []
    current = shape
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["reshape", "permute", "transpose", "flatten", "unsqueeze", "t_view"]))
        n = len(current)
        if kind == "reshape":
            total = int(np.prod(current))
            divisors = [d for d in range(1, total + 1) if total % d == 0]
            first = draw(st.sampled_from(divisors))
            new = (first, -1) if draw(st.booleans()) else (first, total // first)
            steps.append(("reshape", new))
            current = (first, total // first)
        elif kind == "permute":
            perm = tuple(draw(st.permutations(range(n))))
            steps.append(("permute", perm))
            current = tuple(current[p] for p in perm)
        elif kind == "transpose":
            d0, d1 = draw(st.integers(-n, n - 1)), draw(st.integers(-n, n - 1))
            steps.append(("transpose", (d0, d1)))
            c = list(current)
            c[d0], c[d1] = c[d1], c[d0]
            current = tuple(c)
        elif kind == "flatten":
            start = draw(st.integers(0, n - 1))
            end = draw(st.integers(start, n - 1))
            steps.append(("flatten", (start, end)))
            current = current[:start] + (int(np.prod(current[start:end + 1])),) + current[end + 1:]
        elif kind == "unsqueeze":
            d = draw(st.integers(-n - 1, n))
            steps.append(("unsqueeze", (d,)))
            current = tuple(np.empty(current)[(slice(None),) * (d % (n + 1)) + (None,)].shape)
        else:
            steps.append(("contiguous_view", ()))
    return shape, steps


def _apply_chain(lib, x, steps):
    for kind, args in steps:
        if kind == "reshape":
            x = x.reshape(*args)
        elif kind == "permute":
            x = x.permute(*args)
        elif kind == "transpose":
            x = x.transpose(*args)
        elif kind == "flatten":
            x = x.flatten(*args)
        elif kind == "unsqueeze":
            x = x.unsqueeze(*args)
        else:
            x = x.contiguous().view(-1).view(x.shape)
    return x * 1.5


@SETTINGS
@given(chain=shape_chains(), layout=st.sampled_from(["contiguous", "transposed", "strided"]))
def test_reshape_permute_transpose_chains_match_torch(chain, layout):
    shape, steps = chain
    x = np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape) / 7.0
    compare(lambda lib, t: _apply_chain(lib, t, steps), x, layouts=[layout])


@st.composite
def index_expressions(draw, shape):
    """A random mixture of ints, slices, None, Ellipsis, int lists/tensors and bool masks for ``shape``."""
    items = []
    dim = 0
    used_ellipsis = False
    n_adv = 0
    while dim < len(shape) and draw(st.integers(0, 4)) > 0:
        size = shape[dim]
        kind = draw(st.sampled_from(["int", "slice", "none", "ellipsis", "list", "tensor", "mask"]))
        if kind == "int":
            items.append(draw(st.integers(-size, size - 1)))
            dim += 1
        elif kind == "slice":
            start = draw(st.one_of(st.none(), st.integers(-size - 1, size + 1)))
            stop = draw(st.one_of(st.none(), st.integers(-size - 1, size + 1)))
            step = draw(st.one_of(st.none(), st.integers(1, 3)))
            items.append(slice(start, stop, step))
            dim += 1
        elif kind == "none":
            items.append(None)
        elif kind == "ellipsis" and not used_ellipsis:
            items.append(Ellipsis)
            used_ellipsis = True
            dim = len(shape)  # nothing after it, to keep the dimension accounting simple
        elif kind in ("list", "tensor") and n_adv < 2:
            idx = draw(st.lists(st.integers(-size, size - 1), min_size=1, max_size=3))
            # all advanced indices must broadcast: use one common length
            items.append(("list" if kind == "list" else "tensor", idx))
            dim += 1
            n_adv += 1
        elif kind == "mask" and n_adv == 0:
            items.append(("mask", draw(st.lists(st.booleans(), min_size=size, max_size=size))))
            dim += 1
            n_adv += 2
    return items


def _build_index(lib, items):
    out = []
    adv_len = None
    for item in items:
        if isinstance(item, tuple):
            kind, values = item
            if kind in ("list", "tensor"):
                if adv_len is None:
                    adv_len = len(values)
                values = (values * 3)[:adv_len]
                out.append(list(values) if kind == "list" else lib.tensor(values))
            else:
                out.append(lib.tensor(values))
        else:
            out.append(item)
    return tuple(out)


SHAPE = (4, 3, 5)


@SETTINGS
@given(items=index_expressions(SHAPE))
def test_getitem_expressions_match_torch(items):
    x = np.arange(60, dtype=np.float64).reshape(SHAPE) / 3.0
    compare(lambda lib, t: t[_build_index(lib, items)], x)


@SETTINGS
@given(items=index_expressions(SHAPE), scalar=st.booleans())
def test_setitem_expressions_match_torch(items, scalar):
    x = np.arange(60, dtype=np.float64).reshape(SHAPE) / 3.0
    target = torch.tensor(x)[_build_index(torch, items)]
    value = np.asarray(np.linspace(-1, 1, max(target.numel(), 1))[:target.numel()].reshape(tuple(target.shape)))

    def run(lib, t, v):
        y = t * 1.0
        y[_build_index(lib, items)] = 2.5 if scalar else v
        return y
    compare(run, x, value)
