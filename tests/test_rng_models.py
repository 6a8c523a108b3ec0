"""Same seed, same numbers as PyTorch: layer initialisation, nn.init, the sampling functions'
stream positions, Generator objects, dropout masks and data shuffling.

Every check runs the same code on ``ember`` and ``torch`` after the same ``manual_seed`` and
asserts bit-identical results (np.array_equal) and identical generator states afterwards.
"""
import pickle
import warnings

import numpy as np
import pytest
import torch
import torch.utils.data as tdata

import ember
import ember.utils.data as edata
from oracle import assert_same_error


def _numpy(x):
    if hasattr(x, "detach"):
        x = x.detach()
        if x.dtype in (torch.bfloat16, ember.bfloat16):
            x = x.float()
        return x.numpy()
    return np.asarray(x)


def _states_agree():
    return np.array_equal(ember.get_rng_state().numpy(), torch.get_rng_state().numpy())


def run_both(fn, seed=1234):
    """``fn(lib)`` on both libraries after the same seed; results as lists of arrays."""
    out = []
    for lib in (ember, torch):
        lib.manual_seed(seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = fn(lib)
        out.append([_numpy(v) for v in r] if isinstance(r, (list, tuple)) else [_numpy(r)])
    return out


def assert_identical(fn, seed=1234):
    e, t = run_both(fn, seed)
    assert len(e) == len(t)
    for i, (a, b) in enumerate(zip(e, t)):
        assert a.shape == b.shape, f"result {i}: shape {a.shape} vs {b.shape}"
        assert a.dtype == b.dtype, f"result {i}: dtype {a.dtype} vs {b.dtype}"
        assert np.array_equal(a, b, equal_nan=True), f"result {i} differs"
    assert _states_agree(), "generator states differ afterwards"


# ---- layer initialisation ------------------------------------------------------------------

MODELS = {
    "Linear": lambda L: L.nn.Linear(7, 5),
    "Linear_no_bias": lambda L: L.nn.Linear(7, 5, bias=False),
    "Bilinear": lambda L: L.nn.Bilinear(3, 4, 5),
    "Conv1d_groups": lambda L: L.nn.Conv1d(3, 6, 3, groups=3),
    "Conv2d": lambda L: L.nn.Conv2d(4, 8, (3, 2), groups=2),
    "Conv3d": lambda L: L.nn.Conv3d(2, 3, 2),
    "ConvTranspose1d": lambda L: L.nn.ConvTranspose1d(4, 6, 3, groups=2),
    "ConvTranspose2d": lambda L: L.nn.ConvTranspose2d(3, 5, 3),
    "ConvTranspose3d": lambda L: L.nn.ConvTranspose3d(2, 3, 2),
    "Embedding": lambda L: L.nn.Embedding(10, 4),
    "Embedding_padding_idx": lambda L: L.nn.Embedding(10, 4, padding_idx=2),
    "EmbeddingBag": lambda L: L.nn.EmbeddingBag(10, 4, mode="sum"),
    "LSTM_bidirectional": lambda L: L.nn.LSTM(5, 7, num_layers=2, bidirectional=True),
    "LSTM_proj_size": lambda L: L.nn.LSTM(5, 7, num_layers=2, proj_size=3, bidirectional=True),
    "GRU_no_bias": lambda L: L.nn.GRU(5, 7, num_layers=2, bias=False),
    "RNN_relu": lambda L: L.nn.RNN(5, 7, num_layers=3, nonlinearity="relu", bidirectional=True),
    "RNNCell": lambda L: L.nn.RNNCell(5, 7),
    "LSTMCell": lambda L: L.nn.LSTMCell(5, 7),
    "GRUCell": lambda L: L.nn.GRUCell(5, 7),
    "MultiheadAttention": lambda L: L.nn.MultiheadAttention(8, 2),
    "MultiheadAttention_kdim_vdim": lambda L: L.nn.MultiheadAttention(8, 2, kdim=5, vdim=6, add_bias_kv=True,
                                                                       add_zero_attn=True),
    "MultiheadAttention_bias_kv": lambda L: L.nn.MultiheadAttention(8, 2, bias=False, add_bias_kv=True),
    "TransformerEncoderLayer": lambda L: L.nn.TransformerEncoderLayer(8, 2, 16),
    "TransformerDecoderLayer": lambda L: L.nn.TransformerDecoderLayer(8, 2, 16, norm_first=True),
    "TransformerEncoder": lambda L: L.nn.TransformerEncoder(L.nn.TransformerEncoderLayer(8, 2, 16), 2),
    "Transformer": lambda L: L.nn.Transformer(8, 2, 2, 1, 16),
    "BatchNorm": lambda L: L.nn.Sequential(L.nn.BatchNorm1d(4), L.nn.BatchNorm2d(3), L.nn.BatchNorm3d(2)),
    "LayerNorm": lambda L: L.nn.LayerNorm([3, 4]),
    "GroupNorm": lambda L: L.nn.GroupNorm(2, 4),
    "InstanceNorm_affine": lambda L: L.nn.InstanceNorm2d(3, affine=True),
    "PReLU": lambda L: L.nn.PReLU(3, 0.1),
    "composite": lambda L: L.nn.Sequential(
        L.nn.Conv2d(3, 4, 3), L.nn.BatchNorm2d(4), L.nn.PReLU(), L.nn.Dropout(0.1), L.nn.Flatten(),
        L.nn.Linear(16, 8), L.nn.LayerNorm(8), L.nn.Linear(8, 2)),
}


@pytest.mark.parametrize("name", list(MODELS))
def test_layer_initialisation_identical_to_torch(name):
    models = []
    for lib in (ember, torch):
        lib.manual_seed(2024)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            models.append(MODELS[name](lib).state_dict())
    e, t = models
    assert list(e) == list(t)
    for key in t:
        assert np.array_equal(e[key].numpy(), t[key].numpy()), key
    assert _states_agree()


def test_two_models_in_a_row_continue_the_stream():
    assert_identical(lambda L: [p for m in (L.nn.Linear(3, 4), L.nn.Conv2d(2, 2, 3)) for p in m.parameters()])


def test_reset_parameters_redraws_like_torch():
    def fn(L):
        m = L.nn.Linear(4, 3)
        m.reset_parameters()
        return list(m.parameters())
    assert_identical(fn)


# ---- nn.init -------------------------------------------------------------------------------

def _init(name, shape, *args, **kwargs):
    return lambda L: getattr(L.nn.init, name)(L.empty(shape), *args, **kwargs)


INITS = {
    "uniform_": _init("uniform_", (5, 4), -1.0, 2.0),
    "normal_small": _init("normal_", (5, 3), 1.0, 3.0),
    "normal_large": _init("normal_", (50, 40), 1.0, 3.0),
    "xavier_uniform_": _init("xavier_uniform_", (5, 4, 3), gain=2.0),
    "xavier_normal_": _init("xavier_normal_", (5, 4, 3)),
    "kaiming_uniform_fan_out_leaky": _init("kaiming_uniform_", (6, 4, 3), a=0.1, mode="fan_out",
                                           nonlinearity="leaky_relu"),
    "kaiming_uniform_relu": _init("kaiming_uniform_", (6, 4), nonlinearity="relu"),
    "kaiming_normal_selu": _init("kaiming_normal_", (6, 4, 3), mode="fan_in", nonlinearity="selu"),
    "kaiming_normal_tanh_fan_out": _init("kaiming_normal_", (6, 40), mode="fan_out", nonlinearity="tanh"),
    "trunc_normal_": _init("trunc_normal_", (40, 30), 0.2, 0.5, -0.3, 0.7),
    "trunc_normal_small": _init("trunc_normal_", (3, 3)),
    "sparse_": _init("sparse_", (8, 5), 0.3, std=0.2),
    "eye_": _init("eye_", (3, 5)),
    "dirac_": _init("dirac_", (4, 2, 3, 3), groups=2),
    "float64_normal_": lambda L: L.nn.init.normal_(L.empty(20, dtype=L.float64)),
}


@pytest.mark.parametrize("name", list(INITS))
def test_init_function_identical_to_torch(name):
    assert_identical(INITS[name])


@pytest.mark.parametrize("name", ["uniform_", "normal_", "xavier_uniform_", "kaiming_normal_", "trunc_normal_",
                                  "sparse_"])
def test_init_function_with_generator(name):
    args = (0.3,) if name == "sparse_" else ()
    assert_identical(lambda L: getattr(L.nn.init, name)(L.empty(30, 6), *args,
                                                        generator=L.Generator().manual_seed(5)))


@pytest.mark.parametrize("shape", [(3, 5), (5, 3), (6, 6), (2, 3, 4)])
def test_orthogonal_matches_torch_and_leaves_the_same_state(shape):
    # QR runs through a different LAPACK call path: equal up to rounding, same draws.
    e, t = run_both(lambda L: L.nn.init.orthogonal_(L.empty(shape), gain=1.5))
    np.testing.assert_allclose(e[0], t[0], rtol=1e-5, atol=1e-6)
    assert _states_agree()


# ---- sampling functions: values and stream positions -----------------------------------------

SAMPLERS = {
    "rand": lambda L: L.rand(3, 5),
    "rand_float64": lambda L: L.rand(2, 3, dtype=L.float64),
    "rand_bfloat16": lambda L: L.rand(7, dtype=L.bfloat16),
    "randn_small": lambda L: L.randn(5),
    "randn_ragged_large": lambda L: L.randn(1003),
    "randn_float64": lambda L: L.randn(33, dtype=L.float64),
    "randn_float16": lambda L: L.randn(21, dtype=L.float16),
    "randint": lambda L: L.randint(0, 10, (7,)),
    "randint_high_only": lambda L: L.randint(5, (3, 2)),
    "randint_keywords": lambda L: L.randint(low=2, high=9, size=(5,)),
    "randint_64_bit_range": lambda L: L.randint(-2 ** 40, 2 ** 40, (5,)),
    "randint_float_dtype": lambda L: L.randint(10, (5,), dtype=L.float32),
    "randperm": lambda L: L.randperm(9),
    "randperm_float": lambda L: L.randperm(10, dtype=L.float32),
    "bernoulli_tensor": lambda L: L.bernoulli(L.full((6,), 0.3)),
    "bernoulli_p_keyword": lambda L: L.bernoulli(L.zeros(5), p=0.6),
    "bernoulli_method": lambda L: L.full((2, 5), 0.5).bernoulli(),
    "bernoulli__scalar": lambda L: L.empty(5).bernoulli_(0.4),
    "bernoulli__tensor": lambda L: L.empty(4).bernoulli_(L.full((4,), 0.7)),
    "bernoulli__float64_p": lambda L: L.zeros(5).bernoulli_(L.full((5,), 0.5, dtype=L.float64)),
    "bernoulli__broadcast_p": lambda L: L.zeros(3, 4).bernoulli_(L.tensor([0.1, 0.5, 0.9, 0.3])),
    "bernoulli__int64": lambda L: L.zeros(5, dtype=L.int64).bernoulli_(0.3),
    "bernoulli_transposed_p": lambda L: L.bernoulli(L.linspace(0, 1, 24).reshape(4, 6).t()),
    "bernoulli__transposed_self_tensor_p": lambda L: L.empty(3, 4).t().bernoulli_(L.rand(4, 3)),
    "bernoulli__permuted_self_broadcast_p": lambda L: L.empty(2, 3, 4).permute(2, 0, 1).bernoulli_(L.rand(2, 3)),
    "multinomial_without_replacement": lambda L: L.multinomial(L.tensor([0.1, 0.5, 0.4, 1.0]), 3),
    "multinomial_with_replacement": lambda L: L.multinomial(L.tensor([[0.1, 0.5, 0.4], [1., 1., 1.]]), 5, True),
    "multinomial_one_sample": lambda L: L.multinomial(L.arange(1., 11.).reshape(2, 5), 1),
    "multinomial_float64": lambda L: L.multinomial(L.arange(1., 9., dtype=L.float64), 4),
    "normal_tensor_mean_std": lambda L: L.normal(L.arange(20.), L.arange(20.) / 10),
    "normal_float_mean_tensor_std": lambda L: L.normal(2.0, L.ones(20)),
    "normal_tensor_mean_float_std": lambda L: L.normal(L.zeros(3), 2.0),
    "normal_mean_only": lambda L: L.normal(L.arange(4.)),
    "normal_floats_and_size": lambda L: L.normal(1.0, 2.0, (40,)),
    "exponential_": lambda L: L.empty(7).exponential_(),
    "exponential_float64": lambda L: L.empty(7, dtype=L.float64).exponential_(0.5),
    "geometric_": lambda L: L.empty(7).geometric_(0.3),
    "log_normal_": lambda L: L.empty(7).log_normal_(),
    "cauchy_": lambda L: L.empty(7).cauchy_(2.0, 0.5),
    "uniform__bounds": lambda L: L.empty(5, dtype=L.float64).uniform_(-3, 5),
    "normal__transposed": lambda L: L.empty(4, 6).t().normal_(),
    "uniform__transposed": lambda L: L.empty(4, 6).t().uniform_(),
    "rand_like": lambda L: L.rand_like(L.zeros(3, 2)),
    "randn_like": lambda L: L.randn_like(L.zeros(30)),
    "randint_like_high": lambda L: L.randint_like(L.zeros(4), 10),
    "randint_like_low_high_dtype": lambda L: L.randint_like(L.zeros(4), 3, 10, dtype=L.int32),
    "random__full_int64": lambda L: L.empty(5, dtype=L.int64).random_(),
    "random__full_float64": lambda L: L.empty(5, dtype=L.float64).random_(),
    "random__to": lambda L: L.empty(5).random_(10),
    "random__from_to": lambda L: L.empty(5).random_(2, 10),
    "random__int32_negative": lambda L: L.empty(5, dtype=L.int32).random_(-3, 4),
}


@pytest.mark.parametrize("name", list(SAMPLERS))
def test_sampling_function_identical_to_torch(name):
    assert_identical(SAMPLERS[name])


def test_mixed_sequence_keeps_the_streams_in_step():
    assert_identical(lambda L: [SAMPLERS[name](L) for name in SAMPLERS])


def test_cached_normal_carries_across_scalar_path_calls():
    # Odd-sized scalar-path normals leave a cached value that the next scalar draw uses.
    assert_identical(lambda L: [L.randn(3), L.empty(5).log_normal_(), L.randn(15), L.empty(3, 5).t().normal_()])


@pytest.mark.parametrize("layout", ["transposed", "permuted", "sliced"])
@pytest.mark.parametrize("fn", ["rand_like", "randn_like", "randint_like"])
def test_like_functions_keep_the_input_layout(fn, layout):
    # empty_like's preserve_format: a dense permuted input gives a permuted result filled in memory order.
    make = {"transposed": lambda L: L.zeros(4, 6).t(),
            "permuted": lambda L: L.zeros(2, 3, 4, 5).permute(0, 2, 3, 1),
            "sliced": lambda L: L.zeros(4, 6)[:, ::2]}[layout]
    args = (5,) if fn == "randint_like" else ()

    def run(L):
        out = getattr(L, fn)(make(L), *args)
        return [out, np.array(out.stride())]
    assert_identical(run)


# ---- Generator objects ------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["rand", "randn_ragged_large", "randint", "randperm", "bernoulli_tensor",
                                  "multinomial_with_replacement", "normal_tensor_mean_std", "normal_floats_and_size",
                                  "rand_like", "randn_like", "randint_like_high"])
def test_generator_argument_draws_from_that_generator(name):
    def fn(L):
        g = L.Generator().manual_seed(77)
        return _with_generator(L, name, g) + [g.get_state()]
    assert_identical(fn)


def _with_generator(L, name, g):
    calls = {
        "rand": lambda: L.rand(3, 5, generator=g),
        "randn_ragged_large": lambda: L.randn(1003, generator=g),
        "randint": lambda: L.randint(0, 10, (7,), generator=g),
        "randperm": lambda: L.randperm(9, generator=g),
        "bernoulli_tensor": lambda: L.bernoulli(L.full((6,), 0.3), generator=g),
        "multinomial_with_replacement": lambda: L.multinomial(L.tensor([0.1, 0.5, 0.4]), 5, True, generator=g),
        "normal_tensor_mean_std": lambda: L.normal(L.arange(20.), L.arange(20.) / 10, generator=g),
        "normal_floats_and_size": lambda: L.normal(1.0, 2.0, (40,), generator=g),
        "rand_like": lambda: L.rand_like(L.zeros(3, 2), generator=g),
        "randn_like": lambda: L.randn_like(L.zeros(30), generator=g),
        "randint_like_high": lambda: L.randint_like(L.zeros(4), 10, generator=g),
    }
    # The default generator must be untouched: draw from it afterwards too.
    return [calls[name](), L.rand(2)]


@pytest.mark.parametrize("method", ["uniform_", "normal_", "random_", "bernoulli_", "exponential_",
                                    "geometric_", "log_normal_", "cauchy_"])
def test_generator_argument_in_place_fills(method):
    args = {"random_": (0, 9), "bernoulli_": (0.5,), "geometric_": (0.2,)}.get(method, ())

    def fn(L):
        g = L.Generator().manual_seed(9)
        return [getattr(L.empty(40), method)(*args, generator=g), g.get_state(), L.rand(2)]
    assert_identical(fn)


def test_generator_seeding_and_initial_seed():
    for seed in (0, 3, 2 ** 40, -1):
        assert ember.Generator().manual_seed(seed).initial_seed() == torch.Generator().manual_seed(seed).initial_seed()
    assert ember.Generator().initial_seed() == torch.Generator().initial_seed()
    g = ember.Generator()
    assert g.manual_seed(5) is g
    s = g.seed()
    assert isinstance(s, int) and g.initial_seed() == s
    assert ember.manual_seed(3) is ember.default_generator
    assert ember.initial_seed() == 3 and ember.random.initial_seed() == 3
    assert ember.seed() == ember.initial_seed()


def test_generator_state_round_trips_with_torch_in_both_directions():
    g, tg = ember.Generator().manual_seed(11), torch.Generator().manual_seed(11)
    assert np.array_equal(g.get_state().numpy(), tg.get_state().numpy())
    # torch -> ember, mid-stream with a cached scalar-path normal
    torch.randn(3, generator=tg)
    torch.rand(5, generator=tg)
    g.set_state(ember.tensor(tg.get_state().numpy()))
    assert np.array_equal(ember.randn(19, generator=g).numpy(), torch.randn(19, generator=tg).numpy())
    # ember -> torch
    ember.randn(7, generator=g)
    tg.set_state(torch.from_numpy(g.get_state().numpy().copy()))
    assert np.array_equal(ember.randn(9, generator=g).numpy(), torch.randn(9, generator=tg).numpy())
    assert np.array_equal(g.get_state().numpy(), tg.get_state().numpy())
    assert g.set_state(g.get_state()) is g


def test_get_and_set_rng_state_restore_the_default_stream():
    ember.manual_seed(4)
    torch.manual_seed(4)
    state_e, state_t = ember.get_rng_state(), torch.get_rng_state()
    assert state_e.dtype == ember.uint8 and tuple(state_e.shape) == (5056,)
    first = ember.rand(5).numpy()
    ember.set_rng_state(state_e)
    assert np.array_equal(ember.rand(5).numpy(), first)
    ember.set_rng_state(ember.tensor(state_t.numpy()))
    assert np.array_equal(ember.rand(5).numpy(), torch.rand(5).numpy())
    ember.random.set_rng_state(ember.random.get_rng_state())
    assert np.array_equal(ember.rand(3).numpy(), torch.rand(3).numpy())


def test_fork_rng_restores_the_state():
    def fn(L):
        with L.random.fork_rng():
            inner = L.rand(3)
        return [inner, L.rand(3)]
    assert_identical(fn)
    with ember.random.fork_rng(enabled=False):
        before = ember.get_rng_state()
        ember.rand(1)
    assert not np.array_equal(before.numpy(), ember.get_rng_state().numpy())


def test_generator_pickles_with_its_state():
    g = ember.Generator().manual_seed(21)
    ember.rand(5, generator=g)
    twin = pickle.loads(pickle.dumps(g))
    assert twin.initial_seed() == 21
    assert np.array_equal(ember.rand(4, generator=g).numpy(), ember.rand(4, generator=twin).numpy())
    clone = g.clone_state()
    assert np.array_equal(ember.rand(4, generator=g).numpy(), ember.rand(4, generator=clone).numpy())


def test_generator_bad_input_matches_torch():
    assert_same_error(lambda L: L.set_rng_state(L.zeros(5056)), "RNG state must be a torch.ByteTensor")
    assert_same_error(lambda L: L.set_rng_state(L.zeros(10, dtype=L.uint8)), "size 5056")
    assert_same_error(lambda L: L.manual_seed(2 ** 64), "Overflow")
    assert_same_error(lambda L: L.Generator().get_offset(), "does not use offset")
    assert_same_error(lambda L: L.Generator().set_offset(1), "does not use offset")
    assert_same_error(lambda L: L.Generator().graphsafe_get_state(), "not supported")
    assert ember.random.thread_safe_generator() is None and torch.random.thread_safe_generator() is None


# ---- dropout -----------------------------------------------------------------------------------

def _x(L, *shape):
    return L.tensor(np.random.default_rng(0).standard_normal(shape).astype(np.float32))


DROPOUTS = {
    "F.dropout": lambda L: L.nn.functional.dropout(_x(L, 4, 10), 0.3),
    "F.dropout_large": lambda L: L.nn.functional.dropout(_x(L, 40, 100), 0.5),
    "F.dropout_inplace": lambda L: L.nn.functional.dropout(_x(L, 4, 10), 0.3, inplace=True),
    "F.dropout_transposed": lambda L: L.nn.functional.dropout(_x(L, 4, 10).t(), 0.3),
    "F.dropout_float64": lambda L: L.nn.functional.dropout(_x(L, 4, 10).double(), 0.3),
    "F.dropout_requires_grad": lambda L: L.nn.functional.dropout(_x(L, 4, 10).requires_grad_(), 0.3),
    "torch.dropout": lambda L: L.dropout(_x(L, 8, 10), 0.5, True),
    "nn.Dropout": lambda L: L.nn.Dropout(0.2)(_x(L, 8, 10)),
    "nn.Dropout_eval": lambda L: L.nn.Dropout(0.2).eval()(_x(L, 8, 10)),
    "Dropout1d": lambda L: L.nn.Dropout1d(0.4)(_x(L, 3, 6, 5)),
    "Dropout1d_unbatched": lambda L: L.nn.Dropout1d(0.4)(_x(L, 6, 5)),
    "Dropout2d": lambda L: L.nn.Dropout2d(0.4)(_x(L, 3, 6, 5, 2)),
    "Dropout3d": lambda L: L.nn.Dropout3d(0.4)(_x(L, 3, 6, 5, 2, 2)),
    "Dropout3d_unbatched": lambda L: L.nn.Dropout3d(0.4)(_x(L, 6, 5, 2, 2)),
    "AlphaDropout": lambda L: L.nn.AlphaDropout(0.3)(_x(L, 8, 10)),
    "FeatureAlphaDropout": lambda L: L.nn.FeatureAlphaDropout(0.3)(_x(L, 3, 8, 4, 2)),
    "F.alpha_dropout_transposed": lambda L: L.nn.functional.alpha_dropout(_x(L, 8, 10).t(), 0.5, True),
}


@pytest.mark.parametrize("name", list(DROPOUTS))
def test_dropout_identical_to_torch(name):
    assert_identical(DROPOUTS[name])


@pytest.mark.parametrize("name", ["MultiheadAttention", "LSTM", "TransformerEncoderLayer"])
def test_dropout_inside_layers_draws_the_same_masks(name):
    # The layers' arithmetic may differ in the last bit; the masks (zeros) and states must not.
    build = {"MultiheadAttention": lambda L: (lambda m: m(*(_x(L, 3, 2, 8),) * 3)[0])(
                 L.nn.MultiheadAttention(8, 2, dropout=0.5)),
             "LSTM": lambda L: L.nn.LSTM(4, 5, 2, dropout=0.5)(_x(L, 3, 2, 4))[0],
             "TransformerEncoderLayer": lambda L: L.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.5)(
                 _x(L, 3, 2, 8))}[name]
    e, t = run_both(build)
    np.testing.assert_allclose(e[0], t[0], rtol=1e-5, atol=1e-6)
    assert np.array_equal(e[0] == 0, t[0] == 0)
    assert _states_agree()


# ---- data ---------------------------------------------------------------------------------------

def _epochs(D, L, epochs=3, **kwargs):
    loader = D.DataLoader(L.arange(23), batch_size=4, shuffle=True, **kwargs)
    return [[b.tolist() for b in loader] for _ in range(epochs)]


SHUFFLES = {
    "RandomSampler_default_generator": lambda D, L: list(D.RandomSampler(range(20))),
    "RandomSampler_two_epochs": lambda D, L: (lambda s: list(s) + list(s))(D.RandomSampler(range(20))),
    "RandomSampler_replacement": lambda D, L: list(D.RandomSampler(range(20), replacement=True, num_samples=30)),
    "RandomSampler_num_samples": lambda D, L: list(D.RandomSampler(range(20), num_samples=45)),
    "DataLoader_three_epochs": lambda D, L: _epochs(D, L),
    "DataLoader_drop_last": lambda D, L: _epochs(D, L, 2, drop_last=True),
    "DataLoader_draws_between_epochs": lambda D, L: (lambda dl: [[b.tolist() for b in dl] + [L.rand(2).tolist()]
                                                                 for _ in range(2)])(
        D.DataLoader(L.arange(10), batch_size=3, shuffle=True)),
    "random_split_default_generator": lambda D, L: [list(s) for s in D.random_split(range(10), [3, 7])],
    "random_split_fractions": lambda D, L: [list(s) for s in D.random_split(range(11), [0.3, 0.7])],
    "SubsetRandomSampler": lambda D, L: list(D.SubsetRandomSampler([3, 5, 7, 9])),
    "WeightedRandomSampler": lambda D, L: list(D.WeightedRandomSampler([0.1, 0.5, 0.4], 8)),
}


@pytest.mark.parametrize("name", list(SHUFFLES))
def test_shuffle_order_identical_to_torch(name):
    results = []
    for D, L in ((edata, ember), (tdata, torch)):
        L.manual_seed(5)
        results.append(SHUFFLES[name](D, L))
    assert results[0] == results[1]
    assert _states_agree()


def test_large_float32_randn_split_across_threads_is_bit_identical():
    # Above 2**20 elements the Box-Muller blocks are transformed by two threads.
    assert_identical(lambda L: [L.randn(1_300_007), L.empty(1 << 20).normal_(0.5, 2.0), L.rand(3)])
