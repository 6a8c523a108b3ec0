"""Losses (ember.nn.functional.*_loss and the nn.*Loss modules) against PyTorch."""
import warnings

import numpy as np
import pytest
import torch

import ember
from oracle import assert_same_error, compare, gradcheck, randn

REDUCTIONS = ["mean", "sum", "none"]
F32 = np.float32


def F(lib):
    return lib.nn.functional


def _probs(*shape, seed=0):
    p = randn(*shape, seed=seed, low=0.05, high=1.0)
    return p / p.sum(-1, keepdims=True)


def _labels(n, c, seed=0, shape=None):
    return np.random.default_rng(seed).integers(0, c, shape or (n,))


X = randn(5, 7, seed=1)
Y = randn(5, 7, seed=2)
W7 = randn(7, seed=3, low=0.2, high=2.0)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name,kw", [("mse_loss", {}), ("l1_loss", {}), ("smooth_l1_loss", {"beta": 0.5}),
                                     ("smooth_l1_loss", {"beta": 0.0}), ("huber_loss", {"delta": 0.7})])
def test_regression_losses_match_torch(name, kw, reduction):
    compare(lambda lib, a, b: getattr(F(lib), name)(a, b, reduction=reduction, **kw), X, Y)


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "huber_loss"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_elementwise_weight_argument(name, reduction):
    compare(lambda lib, a, b, w: getattr(F(lib), name)(a, b, reduction=reduction, weight=w.detach()),
            X, Y, randn(5, 7, seed=4, low=0.1, high=1))


def test_mse_broadcasts_with_warning_like_torch():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        compare(lambda lib, a, b: F(lib).mse_loss(a, b), X, Y[:1])
    assert any("target size" in str(w.message) for w in caught)


def test_mse_grad_fn_name():
    x = ember.randn(3, requires_grad=True)
    assert ember.nn.functional.mse_loss(x, ember.zeros(3)).grad_fn.name() == "MseLossBackward0"


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_cross_entropy_with_weight(reduction):
    compare(lambda lib, p, t, w: F(lib).binary_cross_entropy(p, t, w.detach(), reduction=reduction),
            _probs(5, 7), _probs(5, 7, seed=9) * 3, W7)


def test_binary_cross_entropy_clamps_log_at_minus_100():
    compare(lambda lib, p, t: F(lib).binary_cross_entropy(p, t, reduction="none"),
            np.array([0.0, 1.0, 0.5, 1e-30]), np.array([0.5, 0.5, 0.5, 1.0]), grad=False)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("use_pos_weight", [False, True])
def test_bce_with_logits(reduction, use_pos_weight):
    def fn(lib, x, t, w, pw):
        return F(lib).binary_cross_entropy_with_logits(x, t, w.detach(), reduction=reduction,
                                                        pos_weight=pw.detach() if use_pos_weight else None)
    compare(fn, X, _probs(5, 7), W7, W7[::-1].copy())


def test_bce_with_logits_is_finite_for_huge_logits():
    compare(lambda lib, x, t: F(lib).binary_cross_entropy_with_logits(x, t, reduction="none"),
            np.array([1e4, -1e4, 50.0, -50.0], F32), np.array([0.0, 1.0, 1.0, 0.0], F32))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
@pytest.mark.parametrize("weighted", [False, True])
def test_cross_entropy_class_indices(reduction, smoothing, weighted):
    t = _labels(5, 7)
    t[2] = -100
    compare(lambda lib, x, t, w: F(lib).cross_entropy(x, t, w.detach() if weighted else None, reduction=reduction,
                                                      label_smoothing=smoothing), X, t, W7)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing", [0.0, 0.3])
def test_cross_entropy_class_probabilities(reduction, smoothing):
    compare(lambda lib, x, p, w: F(lib).cross_entropy(x, p, w.detach(), reduction=reduction,
                                                      label_smoothing=smoothing), X, _probs(5, 7), W7)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_extra_dims_and_ignore_index(reduction):
    x = randn(2, 4, 3, 5, seed=5)
    t = _labels(2, 4, shape=(2, 3, 5))
    t[0, 1, 2] = 1
    compare(lambda lib, x, t: F(lib).cross_entropy(x, t, ignore_index=1, reduction=reduction), x, t)


def test_cross_entropy_unbatched():
    compare(lambda lib, x, t: F(lib).cross_entropy(x, t), randn(6), np.array(3))


def test_cross_entropy_large_logits_stay_finite():
    x = np.array([[1e4, 0.0, -1e4], [0.0, 1e4, 1e4], [-1e4, -1e4, 1e4]], F32)
    e, t = compare(lambda lib, x, t: F(lib).cross_entropy(x, t, reduction="none"), x, np.array([1, 2, 2]))
    assert np.isfinite(e.detach().numpy()).all()


def test_cross_entropy_grad_fn_is_nll_loss():
    x = ember.randn(3, 4, requires_grad=True)
    assert ember.nn.functional.cross_entropy(x, ember.tensor([0, 1, 2])).grad_fn.name() == "NllLossBackward0"


def test_cross_entropy_all_ignored_mean_is_nan():
    compare(lambda lib, x, t: F(lib).cross_entropy(x, t), randn(2, 3), np.array([-100, -100]), grad=False)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_loss_weight_ignore_index_and_extra_dims(reduction):
    t = _labels(5, 7)
    compare(lambda lib, x, t, w: F(lib).nll_loss(x, t, w.detach(), ignore_index=int(t[0]), reduction=reduction),
            X, t, W7)
    compare(lambda lib, x, t: F(lib).nll_loss(x, t, reduction=reduction),
            randn(2, 3, 4, seed=3), _labels(2, 3, shape=(2, 4)))


@pytest.mark.parametrize("fn,arg", [
    (lambda lib, x: F(lib).cross_entropy(x, lib.tensor([0, 5, 1])), "Target 5 is out of bounds."),
    (lambda lib, x: F(lib).nll_loss(x, lib.tensor([0, -1, 1])), "Target -1 is out of bounds."),
    (lambda lib, x: F(lib).cross_entropy(x, lib.tensor([0, 1])), "Expected input batch_size (3) to match"),
    (lambda lib, x: F(lib).cross_entropy(x, lib.tensor([0.0, 1, 2])), "expected target dtype to be Long"),
    (lambda lib, x: F(lib).nll_loss(x, lib.tensor([0, 1, 2]), weight=lib.ones(3)), "weight tensor should be"),
    (lambda lib, x: F(lib).cross_entropy(x.reshape(3, 2, 2), lib.zeros(3, 3, dtype=lib.long)),
     "Expected target size [3, 2], got [3, 3]"),
    (lambda lib, x: F(lib).cross_entropy(x, lib.tensor([0, 1, 2]), label_smoothing=1.5), "label_smoothing"),
    (lambda lib, x: F(lib).mse_loss(x, x, reduction="avg"), "avg is not a valid value for reduction"),
    (lambda lib, x: F(lib).binary_cross_entropy(x.sigmoid(), x[:, :1].sigmoid()), "Using a target size"),
    (lambda lib, x: F(lib).binary_cross_entropy(x + 2, x.sigmoid()), "between 0 and 1"),
    (lambda lib, x: F(lib).binary_cross_entropy_with_logits(x, x[:1]), "must be the same as input size"),
    (lambda lib, x: F(lib).smooth_l1_loss(x, x, beta=-1.0), "negative values for beta"),
    (lambda lib, x: F(lib).huber_loss(x, x, delta=0.0), "non-positive values for delta"),
    (lambda lib, x: F(lib).multi_margin_loss(x, lib.tensor([0, 1, 9])), "target out of range"),
    (lambda lib, x: F(lib).multi_margin_loss(x, lib.tensor([0, 1, 2]), p=3), "only p == 1 and p == 2"),
    (lambda lib, x: F(lib).multilabel_margin_loss(x, lib.zeros(3, 2, dtype=lib.long)), "inconsistent target"),
    (lambda lib, x: F(lib).margin_ranking_loss(x[:, 0], x[:, 1], lib.ones(3, 1)), "same dimension"),
    (lambda lib, x: F(lib).triplet_margin_loss(x, x, x[0]), "same number of dimensions"),
    (lambda lib, x: F(lib).gaussian_nll_loss(x, x, -x.abs() - 1), "var has negative entry"),
    (lambda lib, x: F(lib).gaussian_nll_loss(x, x, x[:2].abs()), "var is of incorrect size"),
])
def test_bad_inputs_raise_torch_errors(fn, arg):
    assert_same_error(lambda lib: fn(lib, lib.tensor(randn(3, 4, dtype=F32))), match=arg)


@pytest.mark.parametrize("reduction", REDUCTIONS + ["batchmean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div(reduction, log_target):
    target = _probs(5, 7)
    target = np.log(target) if log_target else target
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        compare(lambda lib, x, t: F(lib).kl_div(x, t, reduction=reduction, log_target=log_target),
                np.log(_probs(5, 7, seed=3)), target)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("log_input,full", [(True, False), (True, True), (False, True)])
def test_poisson_nll_loss(reduction, log_input, full):
    x = X if log_input else randn(5, 7, low=0.1, high=3)
    compare(lambda lib, x, t: F(lib).poisson_nll_loss(x, t, log_input=log_input, full=full, reduction=reduction),
            x, randn(5, 7, seed=8, low=0, high=4))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("var_shape", [(5, 7), (5,), (5, 1)])
def test_gaussian_nll_loss(reduction, var_shape):
    compare(lambda lib, x, t, v: F(lib).gaussian_nll_loss(x, t, v, full=True, reduction=reduction),
            X, Y, randn(*var_shape, seed=9, low=1e-8, high=2))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_margin_and_embedding_losses(reduction):
    sign = np.sign(randn(5, seed=11))
    compare(lambda lib, a, b, y: F(lib).cosine_embedding_loss(a, b, y, margin=0.2, reduction=reduction), X, Y, sign)
    compare(lambda lib, a, b, y: F(lib).margin_ranking_loss(a, b, y, margin=0.1, reduction=reduction),
            X[:, 0].copy(), Y[:, 0].copy(), sign)
    compare(lambda lib, x, y: F(lib).hinge_embedding_loss(x, y, margin=0.5, reduction=reduction),
            X, np.sign(Y))
    compare(lambda lib, x, y: F(lib).soft_margin_loss(x, y, reduction=reduction), X, np.sign(Y), grad=False)
    compare(lambda lib, x, y: F(lib).soft_margin_loss(x, y.detach(), reduction=reduction), X, np.sign(Y))
    compare(lambda lib, x, y, w: F(lib).multilabel_soft_margin_loss(x, y, w.detach(), reduction=reduction),
            X, _probs(5, 7), W7)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("p", [1, 2])
def test_multi_margin_loss(reduction, p):
    compare(lambda lib, x, t, w: F(lib).multi_margin_loss(x, t, p=p, margin=0.8, weight=w.detach(),
                                                          reduction=reduction), X, _labels(5, 7), W7)
    compare(lambda lib, x, t: F(lib).multi_margin_loss(x, t, p=p, reduction=reduction), randn(7), np.array(2))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_multilabel_margin_loss(reduction):
    target = np.array([[1, 3, -1, 0, 0, 0, 0], [2, 2, 5, -1, 1, 1, 1], [0, 1, 2, 3, 4, 5, 6],
                       [-1, 0, 0, 0, 0, 0, 0], [6, -1, 2, 2, 2, 2, 2]])
    compare(lambda lib, x, t: F(lib).multilabel_margin_loss(x, t, reduction=reduction), X, target)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("p,swap", [(2, False), (1, True), (3, True)])
def test_triplet_margin_loss(reduction, p, swap):
    compare(lambda lib, a, b, c: F(lib).triplet_margin_loss(a, b, c, margin=0.7, p=p, swap=swap,
                                                            reduction=reduction), X, Y, randn(5, 7, seed=12))


def test_triplet_margin_with_distance_loss_custom_distance():
    def fn(lib, a, b, c):
        return F(lib).triplet_margin_with_distance_loss(
            a, b, c, distance_function=lambda u, v: 1 - F(lib).cosine_similarity(u, v), swap=True)
    compare(fn, X, Y, randn(5, 7, seed=12))
    compare(lambda lib, a, b, c: F(lib).triplet_margin_with_distance_loss(a, b, c), X, Y, randn(5, 7, seed=12))


CTC_LP = np.log(np.random.default_rng(0).dirichlet(np.ones(5), (12, 3)))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_ctc_loss_padded_targets(reduction):
    targets = np.array([[1, 2, 2, 0], [3, 1, 4, 4], [1, 1, 1, 1]])
    compare(lambda lib, lp, t, il, tl: F(lib).ctc_loss(lp, t, il, tl, reduction=reduction),
            CTC_LP, targets, np.array([12, 10, 7]), np.array([3, 4, 0]))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_ctc_loss_concatenated_targets_other_blank(reduction):
    compare(lambda lib, lp, t: F(lib).ctc_loss(lp, t, [12, 10, 7], [3, 4, 1], blank=2, reduction=reduction),
            CTC_LP, np.array([1, 3, 3, 0, 4, 1, 1, 1]))


def test_ctc_loss_impossible_alignment_and_zero_infinity():
    targets = np.array([[1, 2, 1], [3, 3, 3]])
    for zero_infinity in (False, True):
        compare(lambda lib, lp, t: F(lib).ctc_loss(lp, t, [2, 5], [3, 3], reduction="none",
                                                   zero_infinity=zero_infinity),
                CTC_LP[:6, :2], targets, grad=zero_infinity)


def test_ctc_loss_unbatched():
    compare(lambda lib, lp, t: F(lib).ctc_loss(lp, t, [12], [3]), CTC_LP[:, 0], np.array([1, 2, 2]))


GRADCHECK_CASES = {
    "mse": lambda lib, a, b: F(lib).mse_loss(a, b),
    "smooth_l1": lambda lib, a, b: F(lib).smooth_l1_loss(a, b, beta=0.3, reduction="sum"),
    "huber": lambda lib, a, b: F(lib).huber_loss(a, b, delta=0.4),
    "bce_logits": lambda lib, a, b: F(lib).binary_cross_entropy_with_logits(a, b.sigmoid()),
    "bce": lambda lib, a, b: F(lib).binary_cross_entropy(a.sigmoid(), b.sigmoid()),
    "ce_indices": lambda lib, a, b: F(lib).cross_entropy(a, lib.tensor([0, 2, 1]), label_smoothing=0.1),
    "ce_probs": lambda lib, a, b: F(lib).cross_entropy(a, b.softmax(1) if hasattr(b, "softmax") else b.exp()),
    "nll": lambda lib, a, b: F(lib).nll_loss(a, lib.tensor([0, 2, 1]), reduction="sum"),
    "kl": lambda lib, a, b: F(lib).kl_div(a, b.exp(), reduction="batchmean"),
    "poisson": lambda lib, a, b: F(lib).poisson_nll_loss(a, b.exp()),
    "gaussian": lambda lib, a, b: F(lib).gaussian_nll_loss(a, b, (a * b).exp()),
    "soft_margin": lambda lib, a, b: F(lib).soft_margin_loss(a, b.detach().sign()),
    "multi_margin": lambda lib, a, b: F(lib).multi_margin_loss(a, lib.tensor([0, 2, 1]), p=2),
    "multilabel_soft": lambda lib, a, b: F(lib).multilabel_soft_margin_loss(a, b.sigmoid()),
    "cosine_embedding": lambda lib, a, b: F(lib).cosine_embedding_loss(a, b, lib.tensor([1.0, -1.0, 1.0])),
    "triplet": lambda lib, a, b: F(lib).triplet_margin_loss(a, b, a * 2 - b, margin=3.0),
}


@pytest.mark.parametrize("name", list(GRADCHECK_CASES))
def test_losses_gradcheck_float64(name):
    gradcheck(GRADCHECK_CASES[name], randn(3, 4, seed=20), randn(3, 4, seed=21))


@pytest.mark.parametrize("name", ["mse", "huber", "ce_indices", "ce_probs", "bce_logits"])
def test_losses_gradgradcheck(name):
    gradcheck(GRADCHECK_CASES[name], randn(3, 4, seed=20), randn(3, 4, seed=21), gradgrad=True)


def test_ctc_loss_gradcheck_through_log_softmax():
    targets = ember.tensor([[1, 2], [3, 3]])

    def fn(lib, x):
        return F(lib).ctc_loss(F(lib).log_softmax(x, 2), targets, [5, 4], [2, 2])
    gradcheck(fn, randn(5, 2, 4, seed=3))


def _module_pairs():
    w = randn(7, seed=5, low=0.5, high=1.5)
    return [
        ("MSELoss", {}), ("L1Loss", {"reduction": "sum"}), ("SmoothL1Loss", {"beta": 0.5}), ("HuberLoss", {}),
        ("CrossEntropyLoss", {"weight": w, "label_smoothing": 0.1}), ("NLLLoss", {"weight": w}),
        ("BCELoss", {"weight": w}), ("BCEWithLogitsLoss", {"pos_weight": w}), ("KLDivLoss", {"log_target": True}),
        ("PoissonNLLLoss", {"full": True}), ("GaussianNLLLoss", {}), ("CosineEmbeddingLoss", {"margin": 0.1}),
        ("MarginRankingLoss", {}), ("HingeEmbeddingLoss", {}), ("MultiMarginLoss", {"weight": w}),
        ("MultiLabelMarginLoss", {}), ("MultiLabelSoftMarginLoss", {"weight": w}), ("SoftMarginLoss", {}),
        ("TripletMarginLoss", {"swap": True}), ("TripletMarginWithDistanceLoss", {}), ("CTCLoss", {"blank": 1}),
    ]


@pytest.mark.parametrize("name,kw", _module_pairs())
def test_loss_module_repr_state_dict_and_buffers(name, kw):
    mods = []
    for lib in (ember, torch):
        args = {k: (lib.tensor(v) if isinstance(v, np.ndarray) else v) for k, v in kw.items()}
        mods.append(getattr(lib.nn, name)(**args))
    e, t = mods
    assert repr(e) == repr(t)
    assert list(e.state_dict()) == list(t.state_dict())
    assert [n for n, _ in e.named_buffers()] == [n for n, _ in t.named_buffers()]


def test_loss_modules_compute_like_torch():
    w = randn(7, seed=5, low=0.5, high=1.5)
    t = _labels(5, 7)
    compare(lambda lib, x, t, w: lib.nn.CrossEntropyLoss(weight=w.detach(), label_smoothing=0.1)(x, t), X, t, w)
    compare(lambda lib, x, y, w: lib.nn.BCEWithLogitsLoss(pos_weight=w.detach())(x, y), X, _probs(5, 7), w)
    compare(lambda lib, x, y: lib.nn.HuberLoss(reduction="sum", delta=0.3)(x, y), X, Y)
    compare(lambda lib, x, y, v: lib.nn.GaussianNLLLoss(full=True)(x, y, v), X, Y, randn(5, 7, low=0.1, high=1))
    compare(lambda lib, lp, tg: lib.nn.CTCLoss(blank=1, zero_infinity=True)(lp, tg, [12, 12, 9], [2, 2, 2]),
            CTC_LP, np.array([[2, 3], [4, 4], [0, 2]]))


def test_legacy_size_average_and_reduce_flags():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for size_average, reduce in [(False, None), (None, False), (True, True)]:
            compare(lambda lib, a, b: F(lib).mse_loss(a, b, size_average=size_average, reduce=reduce), X, Y)
            e, t = ember.nn.L1Loss(size_average, reduce), torch.nn.L1Loss(size_average, reduce)
            assert e.reduction == t.reduction
