"""Graph nodes: what a tensor's ``grad_fn`` is.

A node holds the edges to the nodes that produced its inputs (``next_functions``),
the tensors its backward rule needs (saved with their version, so in-place changes
are caught), and hooks. Leaves that require grad end in an ``AccumulateGrad`` node.
"""
import weakref
from sys import getrefcount as _getrefcount

from .._backend import np as _np

from .grad_mode import state as _grad_state

Tensor = None  # set by ember._tensor once the class exists (node.py is imported before it)

_TENSOR_TYPE_NAMES = {
    "float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor",
    "bfloat16": "BFloat16Tensor", "int64": "LongTensor", "int32": "IntTensor",
    "int16": "ShortTensor", "int8": "CharTensor", "uint8": "ByteTensor", "bool": "BoolTensor",
}


def tensor_type_name(t):
    return "torch." + _TENSOR_TYPE_NAMES.get(t.dtype.name, "Tensor")


class RemovableHandle:
    """Returned by every register_*hook; ``remove()`` unregisters the hook."""
    _next_id = 0

    def __init__(self, hooks_dict):
        self._hooks_ref = weakref.ref(hooks_dict) if _weakrefable(hooks_dict) else (lambda d=hooks_dict: d)
        self.id = RemovableHandle._next_id
        RemovableHandle._next_id += 1

    def remove(self):
        hooks = self._hooks_ref()
        if hooks is not None and self.id in hooks:
            del hooks[self.id]

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def _weakrefable(obj):
    try:
        weakref.ref(obj)
        return True
    except TypeError:
        return False


class HookDict(dict):
    """A dict that can be weakly referenced (handles point at it without keeping it alive)."""
    __slots__ = ("__weakref__",)


class _NeverNeeded:
    """``needs_input_grad`` when nothing is recorded: every index answers False."""
    __slots__ = ()

    def __getitem__(self, i):
        return False

    def __iter__(self):
        return iter(())

    def __bool__(self):
        return False


NEVER_NEEDED = _NeverNeeded()

# Saved-value kinds
_SAVED_INPUT, _SAVED_OUTPUT, _SAVED_PLAIN = 0, 1, 2


class Node:
    """Base of every backward node (``grad_fn``)."""

    __slots__ = ("_edges", "_saved", "_input_meta", "needs_input_grad", "__weakref__", "__dict__")

    # Overridden by materialize-aware nodes (custom Functions).
    _materialize_grads = True
    _custom = False
    # Rarely set, so class-level defaults: the engine reads them on every node without a
    # getattr fallback; an assignment lands in the instance's __dict__.
    _freed = False
    _pre_hooks = None
    _post_hooks = None
    _output_meta = None

    def name(self):
        # An op whose PyTorch node name depends on its arguments sets ``_grad_fn_name`` in forward.
        return self.__dict__.get("_grad_fn_name") or type(self).__name__ + "Backward0"

    def __repr__(self):
        return f"<{self.name()} object at {hex(id(self))}>"

    @property
    def next_functions(self):
        edges = getattr(self, "_edges", None) or ()
        return tuple((None, 0) if e is None else e for e in edges if e is not False)

    @property
    def metadata(self):
        return self.__dict__.setdefault("_metadata", {})

    # --- saved values ---------------------------------------------------------------
    @property
    def saved_tensors(self):
        saved = getattr(self, "_saved", None)
        if saved is None:
            if getattr(self, "_freed", False):
                raise RuntimeError(
                    "Trying to backward through the graph a second time (or directly access saved "
                    "tensors after they have already been freed). Saved intermediate values of the graph "
                    "are freed when you call .backward() or autograd.grad(). Specify retain_graph=True if "
                    "you need to backward through the graph a second time or if you need to access saved "
                    "tensors after calling backward."
                )
            return ()
        out = []
        for kind, value, version in saved:
            if kind == _SAVED_INPUT:
                if value._vc[0] != version:
                    _raise_modified(value, version, self)
                out.append(value)
            elif kind == _SAVED_OUTPUT:
                array, vc, nr, req = value
                if vc[0] != version:
                    _raise_modified_output(array, vc[0], version, nr, self)
                out.append(_make_output_alias(array, vc, self, nr, req))
            else:
                out.append(value)
        return tuple(out)

    def _release(self):
        if getattr(self, "_saved", None) is not None:
            self._saved = None
            self._freed = True

    # --- hooks ----------------------------------------------------------------------
    def register_hook(self, fn):
        """Hook called as fn(grad_inputs, grad_outputs) after this node runs."""
        hooks = getattr(self, "_post_hooks", None)
        if hooks is None:
            hooks = self._post_hooks = HookDict()
        handle = RemovableHandle(hooks)
        hooks[handle.id] = fn
        return handle

    def register_prehook(self, fn):
        """Hook called as fn(grad_outputs) before this node runs; may return replacements."""
        hooks = self._node_prehooks()
        handle = RemovableHandle(hooks)
        hooks[handle.id] = fn
        return handle

    def _node_prehooks(self):
        d = self.__dict__.get("_node_pre_hooks")
        if d is None:
            d = self.__dict__["_node_pre_hooks"] = HookDict()
        return d

    def _tensor_prehooks(self, output_nr):
        hooks = getattr(self, "_pre_hooks", None)
        if hooks is None:
            hooks = self._pre_hooks = {}
        d = hooks.get(output_nr)
        if d is None:
            d = hooks[output_nr] = HookDict()
        return d


def _make_output_alias(array, vc, node, nr, requires_grad):
    t = Tensor._make(array, requires_grad, node if requires_grad else None, nr)
    t._vc = vc
    return t


def _raise_modified(value, version, node):
    where = (f", which is output {value._output_nr} of {_op_name(value.grad_fn)}," if value.grad_fn is not None
             else "")
    raise RuntimeError(
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: [{tensor_type_name(value)} [{', '.join(map(str, value.shape))}]]{where} is at "
        f"version {value._vc[0]}; expected version {version} instead. {_HINT}"
    )


# PyTorch names the op that produced the modified tensor without the "Backward0" suffix.
_HINT = ("Hint: enable anomaly detection to find the operation that failed to compute its gradient, with "
         "torch.autograd.set_detect_anomaly(True, check_nan=False).")


def _op_name(node):
    name = node.name()
    for suffix in ("Backward0", "Backward"):
        if name.endswith(suffix):
            return name[:-len(suffix)]
    return name


def _raise_modified_output(array, now, version, nr, node):
    from .._dtype import from_numpy_dtype
    name = "torch." + _TENSOR_TYPE_NAMES.get(from_numpy_dtype(array.dtype).name, "Tensor")
    raise RuntimeError(
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: [{name} [{', '.join(map(str, array.shape))}]], which is output {nr} of "
        f"{_op_name(node)}, is at version {now}; expected version {version} instead. {_HINT}"
    )


class AccumulateGrad(Node):
    """The node at a leaf: adds the incoming gradient into ``variable.grad``."""

    __slots__ = ("variable",)

    def __init__(self, variable):
        self.variable = variable
        self._edges = ()

    def name(self):
        return "torch::autograd::AccumulateGrad"

    def accumulate(self, grad):
        """Add ``grad`` into ``variable.grad``. The engine calls this holding exactly one
        other reference to ``grad`` (see ``_sole_owner``)."""
        var = self.variable
        hooked = False
        if var._backward_hooks:
            hooked = True
            for hook in list(var._backward_hooks.values()):
                new = hook(grad)
                if new is not None:
                    grad = new
        post = var.__dict__.get("_post_accumulate_hooks")
        old = var.grad
        if old is None:
            if _grad_state.enabled:  # create_graph: keep the graph of the gradient
                var.grad = grad
            elif not hooked and _sole_owner(grad, var._data):
                # Nothing else can see this memory: take it instead of copying (as PyTorch's
                # AccumulateGrad steals a gradient it holds the only reference to).
                var.grad = _make_plain(grad._data)
            else:
                # Copy: the engine may hand one gradient array to several leaves, and
                # later accumulation into .grad happens in place.
                var.grad = grad.detach().clone()
        elif _grad_state.enabled or old.requires_grad:
            var.grad = old + grad
        else:
            old._accumulate_inplace(grad)
        if post:
            for hook in list(post.values()):
                hook(var)


def _sole_owner(grad, like):
    """True when ``grad``'s memory is reachable only through ``grad``, which only the engine
    (one reference) and ``AccumulateGrad.accumulate`` (its argument) hold, and its layout
    matches ``like`` (C-contiguous). A conservative test: any other holder -- a user's
    variable, a saved tensor, a second graph edge, a view -- adds a reference and fails it.
    """
    arr = grad._data
    if type(arr) is not _np.ndarray or type(like) is not _np.ndarray or not arr.flags.c_contiguous \
            or not like.flags.c_contiguous or not arr.flags.writeable:
        return False
    # grad: the engine's local, accumulate's argument, this argument, getrefcount's argument
    if _getrefcount(grad) != 4 or grad._accumulator is not None or grad._backward_hooks:
        return False
    # arr: grad._data, this local, getrefcount's argument
    if _getrefcount(arr) != 3:
        return False
    root = arr.base  # NumPy points every view straight at the array owning the memory
    base_t = grad._base
    if base_t is None:
        # A plain array, or a reshape of a temporary that nothing else holds
        # (root: arr.base, this local, getrefcount's argument).
        return root is None or (type(root) is _np.ndarray and root.base is None and _getrefcount(root) == 3)
    # A view of an intermediate tensor (e.g. the transpose behind a Linear weight's gradient):
    # the base tensor must be held only by grad._base (+ this local + the argument), and the
    # memory only by the base tensor's array (itself, or a view of it held by nothing else)
    # and by grad's array (+ this local + the argument).
    if type(root) is not _np.ndarray or root.base is not None or _getrefcount(base_t) != 3:
        return False
    if base_t._data is not root:
        base_arr = base_t._data
        if base_arr.base is not root or _getrefcount(base_arr) != 3:
            return False
        del base_arr  # its reference to root is counted below; this local's is not
    return _getrefcount(root) == 4


def _make_plain(array):
    return Tensor._make(array)


def gradient_edge(tensor):
    """The (node, output_nr) a gradient for ``tensor`` flows into: its grad_fn, or its leaf accumulator."""
    if tensor.grad_fn is not None:
        return (tensor.grad_fn, tensor._output_nr)
    return (accumulator_of(tensor), 0)


def accumulator_of(tensor):
    """The (cached, weakly held) AccumulateGrad node of a leaf tensor."""
    ref = tensor._accumulator
    acc = ref() if ref is not None else None
    if acc is None:
        acc = AccumulateGrad(tensor)
        tensor._accumulator = weakref.ref(acc)
    return acc
