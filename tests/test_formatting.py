"""ember._formatting must reproduce repr(torch.Tensor) exactly.

Every case builds a torch tensor from the same NumPy values and compares
``repr(torch_tensor)`` with ``format_tensor(values, ...)``.
"""

import importlib.util
import pathlib
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")
ml_dtypes = pytest.importorskip("ml_dtypes")

from hypothesis import given, settings, HealthCheck, strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402


def _load_formatting():
    # Load the module straight from its file so these tests do not depend on
    # the rest of the package (ember/__init__.py) being importable.
    path = pathlib.Path(__file__).resolve().parents[1] / "ember" / "_formatting.py"
    spec = importlib.util.spec_from_file_location("_ember_formatting_under_test", path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


fmt = _load_formatting()
format_tensor = fmt.format_tensor

NP_DTYPES = {
    "bool": np.bool_,
    "uint8": np.uint8,
    "int8": np.int8,
    "int16": np.int16,
    "int32": np.int32,
    "int64": np.int64,
    "float16": np.float16,
    "bfloat16": ml_dtypes.bfloat16,
    "float32": np.float32,
    "float64": np.float64,
}


def to_torch(arr, dtype_name):
    arr = np.array(arr, order="C", copy=True)  # keeps 0-d arrays 0-d
    if dtype_name == "bfloat16":
        return torch.from_numpy(arr.astype(np.float32)).to(torch.bfloat16)
    return torch.from_numpy(arr)


def ember_repr(arr, dtype_name, **kw):
    return format_tensor(arr, dtype_name=dtype_name, **kw)


def check(values, dtype_name):
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        arr = np.asarray(values).astype(NP_DTYPES[dtype_name])
    expected = repr(to_torch(arr, dtype_name))
    got = ember_repr(arr, dtype_name)
    assert got == expected, f"\nexpected:\n{expected}\ngot:\n{got}"


def check_torch(t, **extra):
    """Compare against an existing torch tensor (keeps its grad metadata)."""
    dtype_name = str(t.dtype)[len("torch."):]
    data = t.detach()
    if t.dtype == torch.bfloat16:
        arr = data.float().numpy().astype(ml_dtypes.bfloat16)
    else:
        arr = data.numpy()
    grad_fn = None if t.grad_fn is None else type(t.grad_fn).__name__
    got = format_tensor(arr, dtype_name=dtype_name, requires_grad=t.requires_grad,
                        grad_fn_name=grad_fn, **extra)
    expected = repr(t)
    assert got == expected, f"\nexpected:\n{expected}\ngot:\n{got}"


@pytest.fixture(autouse=True)
def _restore_printoptions():
    torch_saved = torch._tensor_str.get_printoptions()
    ember_saved = fmt.get_printoptions()
    yield
    torch.set_printoptions(**torch_saved)
    fmt.set_printoptions(**ember_saved)


def set_both(**kw):
    torch.set_printoptions(**kw)
    fmt.set_printoptions(**kw)


RNG = np.random.default_rng(1234)
FLOATS = ["float16", "bfloat16", "float32", "float64"]
INTS = ["uint8", "int8", "int16", "int32", "int64"]
ALL = FLOATS + INTS + ["bool"]


# --------------------------------------------------------------------------
# scalars
# --------------------------------------------------------------------------

@pytest.mark.parametrize("value", [
    0.0, -0.0, 1.0, -1.0, 3.5, 0.1, -2.25, 1e-5, 1e10, 1e8, 1.5e8, 1e-4,
    123456.789, 9.99996, float("nan"), float("inf"), float("-inf"), 1e300, 1e-300,
])
@pytest.mark.parametrize("dtype", FLOATS)
def test_float_scalars(value, dtype):
    check(np.array(value), dtype)


@pytest.mark.parametrize("value", [0, 1, -1, 7, 100, -128, 127])
@pytest.mark.parametrize("dtype", ["int8", "int16", "int32", "int64"])
def test_int_scalars(value, dtype):
    check(np.array(value), dtype)


@pytest.mark.parametrize("value", [True, False])
def test_bool_scalars(value):
    check(np.array(value), "bool")


def test_uint8_scalar():
    check(np.array(255), "uint8")


# --------------------------------------------------------------------------
# floats: fixed, integer-valued, scientific, nan/inf, -0
# --------------------------------------------------------------------------

FLOAT_VECTORS = [
    [1.0, 2.0, 3.0],
    [1.0, -2.0, 30.0],
    [0.5, 1.25, -3.125],
    [0.0, 0.0],
    [-0.0],
    [-0.0, 0.0, 1.0],
    [-0.0, 0.5],
    [float("nan")],
    [float("nan"), float("inf"), float("-inf")],
    [float("nan"), 1.0],
    [float("nan"), 1.5, -2.0],
    [float("inf"), 1e10, 1.0],
    [float("-inf"), 12345.0, 3.0],
    [1e-5, 1.0, 1e10],
    [1e8, 1.0],
    [1e8, 2e8],
    [1.0, 1000.0],
    [1.0, 1001.0],
    [0.001, 0.9],
    [0.001, 1.1],
    [1e-4, 0.05],
    [9.99996, 1.0],
    [-9.99996, 0.5],
    [123456.789, 1.5],
    [1e-30, 1e30],
    [1e-300, 1e300, -1e-200],
    [5e-324, 1.0],
    [1e-45, 3.0],
    [65504.0, -65504.0, 1e-7],
    [0.1, 0.2, 0.3, float("nan"), -0.0],
    [1e38, -1e38],
    [2.0 ** 60, 1.0],
]


@pytest.mark.parametrize("values", FLOAT_VECTORS, ids=[str(v) for v in FLOAT_VECTORS])
@pytest.mark.parametrize("dtype", FLOATS)
def test_float_vectors(values, dtype):
    with np.errstate(over="ignore", under="ignore"):
        check(np.array(values), dtype)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shape", [(1,), (5,), (3, 4), (2, 3, 4), (2, 2, 2, 3), (1, 1, 1)])
def test_random_normal_shapes(dtype, shape):
    check(RNG.standard_normal(shape), dtype)


@pytest.mark.parametrize("scale", [1e-9, 1e-5, 1e-3, 1.0, 1e3, 1e5, 1e7, 1e9, 1e20])
def test_random_magnitudes(scale):
    check(RNG.standard_normal((3, 5)) * scale, "float32")
    check(RNG.standard_normal((3, 5)) * scale, "float64")


def test_integer_valued_floats_2d():
    check(np.arange(-6, 6).reshape(3, 4), "float32")
    check(np.arange(12).reshape(3, 4) * 1000.0, "float32")
    check(np.array([[1e7, -2.0], [3.0, float("nan")]]), "float64")


def test_mixed_magnitude_columns():
    check(np.array([[0.001, 100.0], [5.0, -0.25]]), "float32")
    check(np.array([[1e-8, 1.0], [1.0, 1.0]]), "float64")


# --------------------------------------------------------------------------
# ints and bools
# --------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", INTS)
def test_int_arrays(dtype):
    info = np.iinfo(NP_DTYPES[dtype])
    check(np.array([info.min, 0, info.max]), dtype)
    check(RNG.integers(info.min, info.max, size=(4, 6), dtype=NP_DTYPES[dtype]), dtype)
    check(np.arange(-5, 10) % min(int(info.max) + 1, 1000), dtype)


def test_int64_large():
    check(np.array([2 ** 62, -(2 ** 62), 3]), "int64")
    check(np.array([[1, -1], [10, -100]]), "int64")


def test_bools():
    check(np.array([True, False, True]), "bool")
    check(np.array([True, True]), "bool")
    check(np.array([[True, False], [False, False]]), "bool")
    check(RNG.random((3, 4, 2)) > 0.5, "bool")


# --------------------------------------------------------------------------
# dtype suffix
# --------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ALL)
def test_dtype_suffix_each_dtype(dtype):
    if dtype == "bool":
        values = np.array([True, False])
    elif dtype in INTS:
        values = np.array([1, 2, 3])
    else:
        values = np.array([1.5, -2.0, 3.25])
    check(values, dtype)
    check(values[:1].reshape(()), dtype)


def test_default_dtype_float64():
    prev = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        for dtype in ["float32", "float64", "float16", "int64", "int32", "bool"]:
            arr = np.array([1, 0, 1]).astype(NP_DTYPES[dtype])
            expected = repr(to_torch(arr, dtype))
            assert ember_repr(arr, dtype, default_dtype_name="float64") == expected
            empty = np.zeros((0, 2), dtype=NP_DTYPES[dtype])
            expected = repr(to_torch(empty, dtype))
            assert ember_repr(empty, dtype, default_dtype_name="float64") == expected
    finally:
        torch.set_default_dtype(prev)


def test_torch_prefix_in_dtype_name_accepted():
    arr = np.array([1, 2], dtype=np.int32)
    assert format_tensor(arr, dtype_name="torch.int32") == repr(torch.tensor([1, 2], dtype=torch.int32))


# --------------------------------------------------------------------------
# empty tensors
# --------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [(0,), (0, 3), (3, 0), (2, 0, 4), (0, 0), (1, 0, 1, 2)])
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16", "int64", "int32", "bool"])
def test_empty(shape, dtype):
    check(np.zeros(shape), dtype)


def test_empty_with_requires_grad():
    check_torch(torch.zeros(0, 3, requires_grad=True))
    check_torch(torch.zeros(0, requires_grad=True))
    check_torch(torch.zeros(0, 3, requires_grad=True) * 2)


# --------------------------------------------------------------------------
# summarisation
# --------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [(1001,), (2000,), (40, 50), (10, 10, 11), (4, 5, 6, 10), (1, 1001), (1001, 1)])
@pytest.mark.parametrize("dtype", ["float32", "int64", "bool", "float16"])
def test_summarised(shape, dtype):
    n = int(np.prod(shape))
    if dtype == "bool":
        values = (np.arange(n) % 3 == 0).reshape(shape)
    elif dtype == "int64":
        values = (np.arange(n) - n // 2).reshape(shape)
    else:
        values = RNG.standard_normal(shape)
    check(values, dtype)


def test_summarised_width_only_from_displayed_items():
    # the hidden middle holds huge / tiny values; they must not affect format
    v = np.ones(3000)
    v[1500] = 1e20
    v[1501] = 1e-20
    v[1502] = float("nan")
    check(v, "float32")
    check(v.reshape(30, 100), "float64")
    iv = np.arange(3000)
    iv[1500] = -10 ** 12
    check(iv, "int64")


def test_summarised_with_nan_and_sci():
    v = RNG.standard_normal(1500) * 1e6
    v[0] = float("nan")
    v[-1] = float("-inf")
    check(v, "float32")


def test_exactly_threshold_not_summarised():
    check(np.arange(1000, dtype=np.float64), "float32")
    check(np.arange(1001, dtype=np.float64), "float32")


# --------------------------------------------------------------------------
# line wrapping
# --------------------------------------------------------------------------

def test_long_row_wraps():
    check(np.arange(100) * 1.5, "float32")
    check(np.arange(40), "int64")
    check(RNG.standard_normal(37) * 1e5, "float64")
    check(RNG.standard_normal((2, 30)), "float32")
    check(RNG.standard_normal((2, 2, 30)), "float16")


def test_suffix_wraps_to_new_line():
    # a single row that just fits, followed by a dtype suffix that does not
    for n in range(1, 20):
        check(np.arange(n) * 1.25, "float64")
        check(np.arange(n) * 1000, "int32")


# --------------------------------------------------------------------------
# requires_grad / grad_fn
# --------------------------------------------------------------------------

def test_requires_grad_leaf():
    torch.manual_seed(0)
    check_torch(torch.randn(3, requires_grad=True))
    check_torch(torch.randn(2, 3, dtype=torch.float64, requires_grad=True))
    check_torch(torch.tensor(2.5, requires_grad=True))


def test_grad_fn_suffixes():
    torch.manual_seed(0)
    a = torch.randn(3, requires_grad=True)
    b = torch.randn(3, requires_grad=True)
    check_torch(a * 2)                      # MulBackward0
    check_torch(a + b)                      # AddBackward0
    check_torch((a * b).sum())              # SumBackward0, 0-dim
    check_torch(a.view(3, 1))               # ViewBackward0
    check_torch(a.double() * 3)             # dtype + grad_fn
    check_torch(a.half() - 1)               # float16 + grad_fn
    check_torch(torch.randn(4, 30, requires_grad=True) * 5)  # wrapped rows
    check_torch(torch.randn(50, 50, requires_grad=True).exp())  # summarised


def test_long_single_row_with_grad_fn_wraps_suffix():
    torch.manual_seed(1)
    for n in range(4, 12):
        check_torch(torch.randn(n, dtype=torch.float64, requires_grad=True) * 2)


def test_grad_fn_takes_precedence_over_requires_grad():
    out = format_tensor(np.array([1.0, 2.0], dtype=np.float32), dtype_name="float32",
                        requires_grad=True, grad_fn_name="AddBackward0")
    assert out == "tensor([1., 2.], grad_fn=<AddBackward0>)"


# --------------------------------------------------------------------------
# device suffix (no CUDA in the oracle: expected strings written out)
# --------------------------------------------------------------------------

def test_device_suffix():
    f32 = np.array([1.0, 2.0, 3.0], dtype=np.float32)
    assert format_tensor(f32, dtype_name="float32", device="cuda:0") == \
        "tensor([1., 2., 3.], device='cuda:0')"
    assert format_tensor(f32, dtype_name="float32", device="cpu") == "tensor([1., 2., 3.])"
    assert format_tensor(f32, dtype_name="float16", device="cuda:1", requires_grad=True) == \
        "tensor([1., 2., 3.], device='cuda:1', dtype=torch.float16, requires_grad=True)"
    assert format_tensor(np.zeros((0, 2), np.int64), dtype_name="int64", device="cuda:0") == \
        "tensor([], device='cuda:0', size=(0, 2), dtype=torch.int64)"
    assert format_tensor(np.array(1.5, np.float32), dtype_name="float32", device="cuda:0",
                         grad_fn_name="MulBackward0") == \
        "tensor(1.5000, device='cuda:0', grad_fn=<MulBackward0>)"


def test_device_suffix_wrapping():
    # the oracle has no CUDA: build the expected string with torch's own body
    # and suffix-placement helpers, for rows of various lengths
    suffixes = ["device='cuda:0'", "dtype=torch.float64", "grad_fn=<MulBackward0>"]
    for n in range(1, 30):
        t = torch.arange(1, n + 1, dtype=torch.float64) * 1.5
        body = torch._tensor_str._tensor_str(t, len("tensor("))
        expected = torch._tensor_str._add_suffixes("tensor(" + body, suffixes, len("tensor("), False)
        got = format_tensor(t.numpy(), dtype_name="float64", device="cuda:0",
                            grad_fn_name="MulBackward0")
        assert got == expected
    arr = np.arange(1, 13, dtype=np.float64) * 1.5
    expected = (
        "tensor([ 1.5000,  3.0000,  4.5000,  6.0000,  7.5000,  9.0000, 10.5000, 12.0000,\n"
        "        13.5000, 15.0000, 16.5000, 18.0000], device='cuda:0',\n"
        "       dtype=torch.float64, grad_fn=<MulBackward0>)"
    )
    got = format_tensor(arr, dtype_name="float64", device="cuda:0", grad_fn_name="MulBackward0")
    assert got == expected


# --------------------------------------------------------------------------
# print options
# --------------------------------------------------------------------------

def test_get_printoptions_default_matches_torch():
    set_both(profile="default")
    assert fmt.get_printoptions() == torch._tensor_str.get_printoptions()


@pytest.mark.parametrize("profile", ["default", "short", "full"])
def test_profiles(profile):
    set_both(profile=profile)
    assert fmt.get_printoptions() == torch._tensor_str.get_printoptions()
    check(RNG.standard_normal((40, 30)), "float32")
    check(np.arange(1200), "int64")
    check(np.arange(1200).reshape(30, 40) * 0.5, "float64")


def test_sci_mode_reset_by_set_printoptions():
    set_both(sci_mode=True)
    set_both(precision=3)
    assert fmt.get_printoptions() == torch._tensor_str.get_printoptions()
    assert fmt.get_printoptions()["sci_mode"] is None


def test_printoptions_context_manager():
    with fmt.printoptions(precision=2, sci_mode=True):
        assert fmt.get_printoptions()["precision"] == 2
        assert fmt.format_tensor(np.array([1.0]), dtype_name="float32") == "tensor([1.00e+00])"
    assert fmt.get_printoptions()["precision"] == 4
    assert fmt.get_printoptions()["sci_mode"] is None


@pytest.mark.parametrize("opts", [
    dict(precision=2),
    dict(precision=0),
    dict(precision=8),
    dict(threshold=5),
    dict(threshold=5, edgeitems=1),
    dict(threshold=5, edgeitems=0),
    dict(edgeitems=0),
    dict(threshold=10, edgeitems=5),
    dict(linewidth=40),
    dict(linewidth=10),
    dict(linewidth=120),
    dict(sci_mode=True),
    dict(sci_mode=False),
    dict(sci_mode=True, precision=2),
    dict(profile="short", precision=6),
    dict(profile="full", linewidth=60),
])
def test_printoption_variants(opts):
    set_both(**opts)
    assert fmt.get_printoptions() == torch._tensor_str.get_printoptions()
    check(np.array(3.14159), "float32")
    check(np.arange(20) * 0.37 - 3, "float32")
    check(np.arange(20), "int64")
    check(np.arange(20) * 1000.0, "float64")
    check(RNG.standard_normal((4, 9)) * 1e6, "float32")
    check(RNG.standard_normal((12, 13)), "float64")
    check(RNG.standard_normal((3, 4, 5)), "float16")
    check(np.array([1e-6, 1.0, float("nan"), -0.0]), "float32")
    check(np.array([0.0, float("inf")]), "float32")
    check(np.array([True, False] * 7), "bool")
    check(np.zeros((0, 4)), "float32")
    check(np.arange(2000).reshape(20, 100), "int32")
    check(RNG.standard_normal(2000), "float32")
    check_torch(torch.arange(12.0, requires_grad=True) * 2)


# --------------------------------------------------------------------------
# property tests
# --------------------------------------------------------------------------

@st.composite
def float_arrays(draw):
    dtype = draw(st.sampled_from(FLOATS))
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=7))
    n = int(np.prod(shape))
    base = draw(hnp.arrays(np.float64, n, elements=st.floats(-10, 10, allow_nan=False)))
    exps = draw(st.sampled_from([0, 1, 3, 6, 12, 40]))
    shift = draw(st.integers(-20, 20))
    scale = draw(hnp.arrays(np.int64, n, elements=st.integers(-exps, exps)))
    values = base * 10.0 ** (scale + shift).astype(np.float64)
    if draw(st.booleans()):
        values = np.round(values)
    if n and draw(st.integers(0, 4)) == 0:
        specials = draw(hnp.arrays(np.float64, n, elements=st.sampled_from(
            [np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0])))
        mask = draw(hnp.arrays(np.bool_, n))
        values = np.where(mask, specials, values)
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        return values.reshape(shape).astype(NP_DTYPES[dtype]), dtype


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(float_arrays())
def test_property_random_floats(case):
    arr, dtype = case
    expected = repr(to_torch(arr, dtype))
    assert ember_repr(arr, dtype) == expected


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    case=float_arrays(),
    precision=st.integers(0, 8),
    linewidth=st.integers(20, 140),
    sci_mode=st.sampled_from([None, True, False]),
    threshold=st.sampled_from([1000, 20, 3]),
    edgeitems=st.integers(1, 4),
)
def test_property_random_options(case, precision, linewidth, sci_mode, threshold, edgeitems):
    arr, dtype = case
    opts = dict(precision=precision, linewidth=linewidth, sci_mode=sci_mode,
                threshold=threshold, edgeitems=edgeitems)
    saved_t = torch._tensor_str.get_printoptions()
    saved_e = fmt.get_printoptions()
    try:
        set_both(**opts)
        expected = repr(to_torch(arr, dtype))
        assert ember_repr(arr, dtype) == expected
    finally:
        torch.set_printoptions(**saved_t)
        fmt.set_printoptions(**saved_e)


# --------------------------------------------------------------------------
# complex tensors: real and imaginary parts get their own formatters
# --------------------------------------------------------------------------

def _complex_cases():
    rng = np.random.default_rng(99)
    normal = rng.standard_normal((3, 4)) + 1j * rng.standard_normal((3, 4))
    return {
        "vector": np.array([1 + 2j, 3 - 1j]),
        "scalar": np.array(1.5 - 2.25j),
        "negative_zero_imag": np.array([1 - 0.0j, -0.0 + 0.0j]),
        "integer_valued": np.array([[1 + 2j, -3 + 0j], [4 - 5j, 0 + 1j]]),
        "random_2d": normal,
        "sci_real_part": np.array([1e-6 + 1j, 2e5 - 3j, 3 + 0.5j]),
        "sci_imag_part": np.array([1 + 1e9j, 2 - 1e-7j]),
        "nan_inf": np.array([complex(np.nan, 1), complex(1, np.inf), complex(-np.inf, -np.nan), 0.5 + 2j]),
        "zeros": np.zeros(3, complex),
        "long_row_wraps": rng.standard_normal(30) + 1j * rng.standard_normal(30),
        "summarised": rng.standard_normal((40, 40)) * 100 + 1j * rng.standard_normal((40, 40)),
        "empty": np.zeros((0,), complex),
        "empty_2d": np.zeros((2, 0), complex),
    }


@pytest.mark.parametrize("name", sorted(_complex_cases()))
@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
def test_complex_repr(name, dtype):
    arr = _complex_cases()[name].astype(dtype)
    t = torch.from_numpy(np.array(arr, copy=True))
    assert format_tensor(arr, dtype_name=dtype) == repr(t)


def test_complex_repr_default_dtype_float64():
    arr = np.array([1 + 2j, 0.5 - 1j])
    torch.set_default_dtype(torch.float64)
    try:
        for dtype in ("complex64", "complex128"):
            a = arr.astype(dtype)
            assert format_tensor(a, dtype_name=dtype, default_dtype_name="float64") == \
                repr(torch.from_numpy(a.copy()))
    finally:
        torch.set_default_dtype(torch.float32)


def test_complex_repr_with_grad_fn_and_printoptions():
    t = torch.tensor([1.0, 2.5, -3.0], requires_grad=True)
    check_torch(torch.fft.fft(t))
    set_both(precision=2, linewidth=40)
    check_torch(torch.fft.fft(torch.arange(12.0)).detach())
    set_both(sci_mode=True)
    check_torch(torch.tensor([1 + 2j, 3.5 - 1j]))
