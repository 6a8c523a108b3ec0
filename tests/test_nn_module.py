"""nn.Module contracts against PyTorch: routing, errors, iteration, state_dict, hooks, repr, pickling."""
import copy
import pickle
from collections import OrderedDict

import numpy as np
import pytest
import torch

import ember
from oracle import assert_same_error


def build_net(lib):
    """The same architecture in either library (shared submodule, buffers, containers)."""
    nn = lib.nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(3, 4)
            self.seq = nn.Sequential(nn.Linear(4, 4), nn.ReLU(), nn.Linear(4, 2, bias=False))
            self.blocks = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)] + [nn.Identity()])
            self.heads = nn.ModuleDict({"a": nn.Linear(2, 1), "b": nn.Tanh()})
            self.shared = self.fc  # the same module twice
            self.scale = nn.Parameter(lib.ones(2))
            self.register_buffer("running", lib.zeros(2))
            self.register_buffer("scratch", lib.zeros(2), persistent=False)

        def forward(self, x):
            y = self.seq(self.shared(x))
            for b in self.blocks:
                y = b(y)
            return self.heads["a"](y * self.scale + self.running)

    return Net()


def torch_state_as_numpy(tmod):
    return OrderedDict((k, v.detach().numpy().copy()) for k, v in tmod.state_dict().items())


# --- attribute routing ----------------------------------------------------------------------
def test_assign_module_before_init_raises():
    def make(lib):
        class Bad(lib.nn.Module):
            def __init__(self):
                self.fc = lib.nn.Linear(1, 1)
                super().__init__()
        Bad()
    assert_same_error(make, "cannot assign module before Module.__init__() call")


def test_assign_parameter_before_init_raises():
    def make(lib):
        class Bad(lib.nn.Module):
            def __init__(self):
                self.w = lib.nn.Parameter(lib.ones(1))
        Bad()
    assert_same_error(make, "cannot assign parameters before Module.__init__() call")


def test_assign_tensor_to_parameter_slot_raises_typeerror():
    def f(lib):
        m = lib.nn.Linear(2, 2)
        m.weight = lib.ones(2, 2)
    exc = assert_same_error(f)
    assert str(exc) == ("cannot assign 'torch.FloatTensor' as parameter 'weight' "
                        "(torch.nn.Parameter or None expected)")


def test_assign_non_module_to_module_slot_raises():
    def f(lib):
        m = lib.nn.Sequential(lib.nn.ReLU())
        setattr(m, "0", 3)
    exc = assert_same_error(f)
    assert str(exc) == "cannot assign 'int' as child module '0' (torch.nn.Module or None expected)"


def test_parameter_buffer_module_routing():
    m = ember.nn.Module()
    m.w = ember.nn.Parameter(ember.ones(2))
    m.register_buffer("b", ember.zeros(3))
    m.sub = ember.nn.Linear(1, 1)
    m.plain = ember.ones(1)
    assert list(m._parameters) == ["w"] and list(m._buffers) == ["b"] and list(m._modules) == ["sub"]
    assert "plain" in m.__dict__ and "w" not in m.__dict__
    m.b = ember.ones(3)  # assigning a tensor to a buffer name replaces the buffer
    assert m._buffers["b"] is m.b
    m.w = None
    assert m._parameters["w"] is None and m.w is None
    del m.sub
    assert "sub" not in m._modules
    with pytest.raises(AttributeError, match="'Module' object has no attribute 'sub'"):
        m.sub


def test_buffer_class_assignment_registers_buffer():
    m = ember.nn.Module()
    m.stat = ember.nn.Buffer(ember.zeros(2), persistent=False)
    assert "stat" in m._buffers and "stat" in m._non_persistent_buffers_set
    assert list(m.state_dict()) == []


@pytest.mark.parametrize("call, match", [
    (lambda lib, m: m.register_buffer("a.b", lib.zeros(1)), 'contain "."'),
    (lambda lib, m: m.register_buffer("", lib.zeros(1)), "be empty string"),
    (lambda lib, m: m.register_buffer("weight", lib.zeros(1)), "attribute 'weight' already exists"),
    (lambda lib, m: m.register_buffer("x", 3), "cannot assign 'int' object to buffer 'x'"),
    (lambda lib, m: m.register_parameter("p", lib.zeros(1)), "cannot assign 'torch.FloatTensor' object to "
                                                              "parameter 'p'"),
    (lambda lib, m: m.register_parameter("a.b", None), 'contain "."'),
    (lambda lib, m: m.add_module("x", 3), "int is not a Module subclass"),
    (lambda lib, m: m.add_module("a.b", lib.nn.ReLU()), 'contain ".", got: a.b'),
])
def test_registration_errors_match_torch(call, match):
    assert_same_error(lambda lib: call(lib, lib.nn.Linear(1, 1)), match)


def test_register_non_leaf_parameter_raises_valueerror():
    def f(lib):
        m = lib.nn.Module()
        non_leaf = lib.nn.Parameter(lib.ones(2)) * 2
        non_leaf.__class__ = lib.nn.Parameter  # a Parameter-typed tensor with a grad_fn
        m.register_parameter("w", non_leaf)
    assert_same_error(f)


def test_missing_forward_raises():
    assert_same_error(lambda lib: lib.nn.Module()(1), 'missing the required "forward" function')


# --- iteration ------------------------------------------------------------------------------
def test_named_parameters_buffers_modules_match_torch():
    e, t = build_net(ember), build_net(torch)
    assert [n for n, _ in e.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert [n for n, _ in e.named_buffers()] == [n for n, _ in t.named_buffers()]
    assert [n for n, _ in e.named_modules()] == [n for n, _ in t.named_modules()]
    assert [n for n, _ in e.named_children()] == [n for n, _ in t.named_children()]


def test_named_members_prefix_recurse_and_duplicates():
    e, t = build_net(ember), build_net(torch)
    for kwargs in ({"prefix": "model"}, {"recurse": False}, {"remove_duplicate": False}):
        assert [n for n, _ in e.named_parameters(**kwargs)] == [n for n, _ in t.named_parameters(**kwargs)]
    kw = {"prefix": "m", "remove_duplicate": False}
    assert [n for n, _ in e.named_modules(**kw)] == [n for n, _ in t.named_modules(**kw)]


def test_shared_parameters_are_deduplicated():
    lin = ember.nn.Linear(2, 2)
    seq = ember.nn.Sequential(lin, lin)
    assert len(list(seq.parameters())) == 2
    assert len(list(seq.named_parameters(remove_duplicate=False))) == 4
    assert len(list(seq.modules())) == 2


def test_get_submodule_parameter_buffer():
    e, t = build_net(ember), build_net(torch)
    assert e.get_submodule("seq.0") is e.seq[0]
    assert e.get_parameter("seq.0.weight") is e.seq[0].weight
    assert e.get_buffer("running") is e.running
    assert_same_error(lambda lib: build_net(lib).get_submodule("seq.9"), "has no attribute `9`")
    assert_same_error(lambda lib: build_net(lib).get_submodule("fc.weight"), "`weight` is not an nn.Module")
    assert_same_error(lambda lib: build_net(lib).get_parameter("running"), "`running` is not an nn.Parameter")
    assert_same_error(lambda lib: build_net(lib).get_buffer("scale"), "`scale` is not a buffer")


# --- state_dict -------------------------------------------------------------------------------
def test_state_dict_keys_and_metadata_match_torch():
    e, t = build_net(ember), build_net(torch)
    es, ts = e.state_dict(), t.state_dict()
    assert isinstance(es, OrderedDict)
    assert list(es) == list(ts)
    assert es._metadata == ts._metadata
    assert list(e.state_dict(prefix="p.")) == list(t.state_dict(prefix="p."))


def test_state_dict_detaches_unless_keep_vars():
    e = build_net(ember)
    sd = e.state_dict()
    assert not sd["fc.weight"].requires_grad and type(sd["fc.weight"]) is ember.Tensor
    assert e.state_dict(keep_vars=True)["fc.weight"] is e.fc.weight


def test_torch_state_dict_as_numpy_loads_and_outputs_match():
    e, t = build_net(ember), build_net(torch)
    with torch.no_grad():
        t.running.uniform_()
    result = e.load_state_dict(torch_state_as_numpy(t))
    assert repr(result) == "<All keys matched successfully>"
    x = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    np.testing.assert_allclose(e(ember.tensor(x)).detach().numpy(), t(torch.tensor(x)).detach().numpy(),
                               rtol=1e-5, atol=1e-6)


def test_load_state_dict_copies_in_place_keeping_identity():
    e = build_net(ember)
    w = e.fc.weight
    sd = build_net(ember).state_dict()
    e.load_state_dict(sd)
    assert e.fc.weight is w
    np.testing.assert_array_equal(w.detach().numpy(), sd["fc.weight"].numpy())
    assert w.requires_grad and w.grad_fn is None


def test_load_state_dict_non_strict_reports_keys_like_torch():
    e, t = build_net(ember), build_net(torch)
    sd_t = t.state_dict()
    del sd_t["fc.bias"]
    sd_t["extra.weight"] = torch.zeros(1)
    sd_e = OrderedDict((k, v.numpy()) for k, v in sd_t.items())
    res_e = e.load_state_dict(sd_e, strict=False)
    res_t = t.load_state_dict(sd_t, strict=False)
    assert res_e.missing_keys == res_t.missing_keys
    assert res_e.unexpected_keys == res_t.unexpected_keys
    assert repr(res_e) == repr(res_t)


def test_load_state_dict_strict_error_message_matches_torch():
    sd_t = build_net(torch).state_dict()
    del sd_t["fc.bias"]
    sd_t["extra"] = torch.zeros(1)

    def load(lib):
        sd = sd_t if lib is torch else OrderedDict((k, v.numpy()) for k, v in sd_t.items())
        build_net(lib).load_state_dict(sd)
    try:
        load(torch)
    except RuntimeError as exc:
        expected = str(exc)
    with pytest.raises(RuntimeError) as info:
        load(ember)
    assert str(info.value) == expected


def test_load_state_dict_size_mismatch_message_matches_torch():
    def load(lib):
        class Net(lib.nn.Module):
            def __init__(self, n):
                super().__init__()
                self.fc = lib.nn.Linear(3, n)
        Net(4).load_state_dict(Net(5).state_dict())
    exc = assert_same_error(load)
    assert str(exc) == ("Error(s) in loading state_dict for Net:\n\tsize mismatch for fc.weight: copying a param "
                        "with shape torch.Size([5, 3]) from checkpoint, the shape in current model is "
                        "torch.Size([4, 3]).\n\tsize mismatch for fc.bias: copying a param with shape "
                        "torch.Size([5]) from checkpoint, the shape in current model is torch.Size([4]).")


def test_load_state_dict_assign_replaces_parameters():
    m = ember.nn.Linear(2, 2)
    sd = {"weight": ember.ones(2, 2), "bias": ember.zeros(2)}
    m.load_state_dict(sd, assign=True)
    assert isinstance(m.weight, ember.nn.Parameter) and m.weight.requires_grad
    assert m.weight.data_ptr() == sd["weight"].data_ptr()


def test_non_persistent_buffer_excluded_and_not_expected():
    e = build_net(ember)
    assert "scratch" not in e.state_dict()
    sd = e.state_dict()
    assert repr(e.load_state_dict(sd)) == "<All keys matched successfully>"


def test_state_dict_hooks():
    m = ember.nn.Linear(2, 2)
    seen = []
    h1 = m.register_state_dict_pre_hook(lambda mod, prefix, keep_vars: seen.append(("pre", prefix)))
    h2 = m.register_state_dict_post_hook(lambda mod, sd, prefix, meta: sd.pop(prefix + "bias"))
    assert list(m.state_dict(prefix="x.")) == ["x.weight"]
    h1.remove()
    h2.remove()
    assert list(m.state_dict()) == ["weight", "bias"] and seen == [("pre", "x.")]


def test_load_state_dict_pre_and_post_hooks():
    m = ember.nn.Linear(2, 2)
    calls = []

    def pre(module, sd, prefix, meta, strict, missing, unexpected, errors):
        sd[prefix + "bias"] = np.full(2, 7.0, dtype=np.float32)

    m.register_load_state_dict_pre_hook(pre)
    m.register_load_state_dict_post_hook(lambda module, keys: calls.append(list(keys.missing_keys)))
    m.load_state_dict({"weight": np.zeros((2, 2), dtype=np.float32)})
    assert m.bias.tolist() == [7.0, 7.0] and calls == [[]]


# --- modes, conversions --------------------------------------------------------------------
def test_train_eval_propagate():
    e = build_net(ember)
    e.eval()
    assert all(not m.training for m in e.modules())
    e.train()
    assert all(m.training for m in e.modules())
    assert_same_error(lambda lib: build_net(lib).train("yes"), "training mode is expected to be boolean")


def test_zero_grad_and_requires_grad_():
    m = ember.nn.Linear(2, 2)
    m(ember.ones(1, 2)).sum().backward()
    m.zero_grad(set_to_none=False)
    assert m.weight.grad.tolist() == [[0.0, 0.0], [0.0, 0.0]]
    m.zero_grad()
    assert m.weight.grad is None
    m.requires_grad_(False)
    assert not any(p.requires_grad for p in m.parameters())


def test_to_double_keeps_parameter_identity():
    m = ember.nn.Linear(2, 2)
    w = m.weight
    m.double()
    assert m.weight is w and w.dtype == ember.float64 and isinstance(w, ember.nn.Parameter)
    m.to(ember.float32)
    assert w.dtype == ember.float32
    m.half().float()
    assert w.dtype == ember.float32
    assert_same_error(lambda lib: lib.nn.Linear(1, 1).to(lib.int64), "only accepts floating point")


def test_apply_visits_children_first():
    e, t = build_net(ember), build_net(torch)
    order_e, order_t = [], []
    e.apply(lambda m: order_e.append(type(m).__name__))
    t.apply(lambda m: order_t.append(type(m).__name__))
    assert order_e == order_t


# --- repr ----------------------------------------------------------------------------------
def test_nested_repr_matches_torch():
    assert repr(build_net(ember)) == repr(build_net(torch))


def test_containers_repr_match_torch():
    for make in (lambda lib: lib.nn.Sequential(),
                 lambda lib: lib.nn.ModuleList(),
                 lambda lib: lib.nn.ModuleList([lib.nn.ReLU(), lib.nn.ReLU(), lib.nn.Tanh(), lib.nn.ReLU()]),
                 lambda lib: lib.nn.Sequential(OrderedDict(a=lib.nn.Linear(1, 2), b=lib.nn.Sigmoid())),
                 lambda lib: lib.nn.ParameterList([lib.nn.Parameter(lib.ones(2, 3)), lib.ones(1)]),
                 lambda lib: lib.nn.ParameterDict({"b": lib.nn.Parameter(lib.ones(2)), "a": lib.zeros(3)})):
        assert repr(make(ember)) == repr(make(torch))


def test_dir_lists_children_and_parameters():
    m = build_net(ember)
    d = dir(m)
    assert "fc" in d and "scale" in d and "running" in d and "forward" in d


# --- hooks -------------------------------------------------------------------------------------
def test_forward_pre_hook_and_forward_hook_modify_and_remove():
    def run(lib):
        m = lib.nn.Linear(2, 2)
        with lib.no_grad():
            m.weight.fill_(1.0)
            m.bias.zero_()
        h1 = m.register_forward_pre_hook(lambda mod, args: (args[0] * 2,))
        h2 = m.register_forward_hook(lambda mod, args, out: out + 1)
        a = m(lib.ones(1, 2)).tolist()
        h1.remove()
        h2.remove()
        return a, m(lib.ones(1, 2)).tolist()
    assert run(ember) == run(torch)


def test_forward_hooks_with_kwargs_prepend_and_always_call():
    def run(lib):
        log = []

        class M(lib.nn.Module):
            def forward(self, x, scale=1.0):
                if scale < 0:
                    raise ValueError("neg")
                return x * scale
        m = M()
        m.register_forward_pre_hook(lambda mod, a, kw: (a, {"scale": kw.get("scale", 1.0) * 3}), with_kwargs=True)
        m.register_forward_hook(lambda mod, a, kw, out: log.append(("kw", kw["scale"])), with_kwargs=True)
        m.register_forward_hook(lambda mod, a, out: log.append("first"), prepend=True)
        m.register_forward_hook(lambda mod, a, out: log.append("always"), always_call=True)
        out = m(lib.ones(1), scale=2.0).tolist()
        with pytest.raises(ValueError):
            m(lib.ones(1), scale=-1.0)
        return out, log
    assert run(ember) == run(torch)


def test_full_backward_hooks_see_and_replace_gradients():
    def run(lib):
        lib.manual_seed(0)
        m = lib.nn.Linear(3, 2)
        with lib.no_grad():
            m.weight.copy_(lib.tensor([[1.0, 2.0, 3.0], [-1.0, 0.5, 2.0]]))
        seen = []

        def hook(mod, grad_in, grad_out):
            seen.append((grad_in[0].tolist(), grad_out[0].tolist()))
            return (grad_in[0] * 10,)
        h = m.register_full_backward_hook(hook)
        m.register_full_backward_pre_hook(lambda mod, grad_out: (grad_out[0] + 1,))
        x = lib.ones(2, 3, requires_grad=True)
        m(x).sum().backward()
        h.remove()
        return seen, x.grad.tolist()
    assert run(ember) == run(torch)


def test_backward_hook_when_input_needs_no_grad_gets_none():
    def run(lib):
        m = lib.nn.Linear(2, 2)
        seen = []
        m.register_full_backward_hook(lambda mod, gi, go: seen.append((gi, go[0].shape)))
        with pytest.warns(UserWarning):
            m(lib.ones(1, 2)).sum().backward()
        return [(gi, tuple(s)) for gi, s in seen]
    assert run(ember) == run(torch)


def test_mixing_backward_hook_kinds_raises():
    def f(lib):
        m = lib.nn.Linear(1, 1)
        m.register_full_backward_hook(lambda *a: None)
        m.register_backward_hook(lambda *a: None)
    assert_same_error(f, "Cannot use both regular backward hooks and full backward hooks")


def test_global_forward_hook():
    from ember.nn.modules.module import register_module_forward_hook
    seen = []
    h = register_module_forward_hook(lambda mod, a, out: seen.append(type(mod).__name__))
    try:
        ember.nn.Sequential(ember.nn.ReLU())(ember.ones(1))
    finally:
        h.remove()
    ember.nn.ReLU()(ember.ones(1))
    assert seen == ["ReLU", "Sequential"]


# --- containers -------------------------------------------------------------------------------
def test_sequential_indexing_and_mutation():
    a, b, c = ember.nn.ReLU(), ember.nn.Tanh(), ember.nn.Sigmoid()
    s = ember.nn.Sequential(a, b, c)
    assert s[0] is a and s[-1] is c and len(s) == 3
    assert isinstance(s[1:], ember.nn.Sequential) and list(s[1:]) == [b, c]
    del s[0]
    assert list(s._modules) == ["0", "1"] and s[0] is b
    s.append(a).insert(0, c)
    assert list(s) == [c, b, c, a]
    assert s.pop(0) is c and len(s) == 3
    s2 = s + ember.nn.Sequential(a)
    assert len(s2) == 4
    s.extend([b])
    assert len(s) == 4
    with pytest.raises(IndexError, match="index 9 is out of range"):
        s[9]


def test_module_list_and_dict_behave_like_torch():
    ml = ember.nn.ModuleList([ember.nn.ReLU()])
    ml.append(ember.nn.Tanh())
    ml += [ember.nn.Sigmoid()]
    ml.insert(1, ember.nn.Identity())
    assert [type(m).__name__ for m in ml] == ["ReLU", "Identity", "Tanh", "Sigmoid"]
    del ml[0]
    assert list(ml._modules) == ["0", "1", "2"]
    md = ember.nn.ModuleDict({"b": ember.nn.ReLU(), "a": ember.nn.Tanh()})
    assert list(md.keys()) == ["b", "a"] and "a" in md
    assert type(md.pop("a")).__name__ == "Tanh" and len(md) == 1


def test_parameter_list_and_dict_register_parameters():
    pl = ember.nn.ParameterList([ember.ones(2), ember.nn.Parameter(ember.zeros(3))])
    assert all(isinstance(p, ember.nn.Parameter) for p in pl) and len(list(pl.parameters())) == 2
    pd = ember.nn.ParameterDict({"b": ember.ones(1), "a": ember.zeros(1)})
    assert list(pd.keys()) == ["a", "b"]  # PyTorch sorts a plain dict's keys
    assert [n for n, _ in pd.named_parameters()] == ["a", "b"]
    with pytest.raises(RuntimeError, match="ParameterList should not be called"):
        pl()


# --- copying and pickling ------------------------------------------------------------------------
class PicklableNet(ember.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = ember.nn.Linear(3, 4)
        self.shared = self.fc
        self.act = ember.nn.ModuleList([ember.nn.ReLU()])
        self.register_buffer("running", ember.ones(4))

    def forward(self, x):
        return self.act[0](self.shared(x)) + self.running


def test_deepcopy_and_pickle_roundtrip():
    m = PicklableNet()
    x = ember.randn(2, 3)
    for clone in (copy.deepcopy(m), pickle.loads(pickle.dumps(m))):
        assert clone.fc is clone.shared  # sharing survives
        assert clone.fc.weight is not m.fc.weight
        assert isinstance(clone.fc.weight, ember.nn.Parameter) and clone.fc.weight.requires_grad
        np.testing.assert_array_equal(clone(x).detach().numpy(), m(x).detach().numpy())


def test_parameter_repr_matches_torch():
    assert repr(ember.nn.Parameter(ember.tensor([1.0, 2.0]))) == repr(torch.nn.Parameter(torch.tensor([1.0, 2.0])))
    assert repr(ember.nn.Parameter(ember.tensor([1.0]), requires_grad=False)) == \
        repr(torch.nn.Parameter(torch.tensor([1.0]), requires_grad=False))


def test_parameter_shares_memory_with_data():
    t = ember.zeros(3)
    p = ember.nn.Parameter(t)
    p.data.fill_(2.0)
    assert t.tolist() == [2.0, 2.0, 2.0] and p.requires_grad and p.is_leaf
