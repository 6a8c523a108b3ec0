"""Op: the base of every built-in differentiable operation; Function: users' custom ops.

An Op subclass is one operation: ``forward`` works on arrays and returns array(s);
``backward`` works on Tensors (so it is itself differentiable, giving higher-order
gradients) and returns one gradient per argument. What backward needs is declared:
``saves_inputs`` lists argument positions to keep, ``saves_output`` keeps the result.
Other helpers (masks, indices, shapes) are set as plain attributes on ``ctx`` in forward.

The engine sums a returned gradient down to its input's shape and casts it to the
input's dtype, so broadcasting and type promotion need no code in the rules.
"""
from .grad_mode import state as _grad_state
from .node import (NEVER_NEEDED, _SAVED_INPUT, _SAVED_OUTPUT, _SAVED_PLAIN, Node,
                   accumulator_of, gradient_edge)

Tensor = None  # set by ember._tensor once the class exists (breaks the import cycle)
_BF16 = None   # bfloat16's NumPy dtype (kind "V", so the "fc" test misses it); set by ember._tensor


def _edge(t):
    return gradient_edge(t) if t._requires_grad else None


class Op(Node):
    __slots__ = ()
    saves_inputs = ()
    saves_output = False
    is_view = False          # output shares memory and version counter with input 0
    differentiable = True    # False: outputs never require grad (comparisons, argmax, ...)
    needs_input_grad = NEVER_NEEDED

    @staticmethod
    def forward(ctx, *args):
        raise NotImplementedError

    @staticmethod
    def backward(ctx, *grads):
        raise NotImplementedError

    @classmethod
    def apply(cls, *args):
        T = Tensor
        ctx = cls.__new__(cls)
        if _grad_state.enabled and cls.differentiable:
            for a in args:
                if isinstance(a, T) and a._requires_grad:
                    return _apply_recorded(cls, ctx, args)
        arrays = [a._data if isinstance(a, T) else a for a in args]
        out = cls.forward(ctx, *arrays)
        if type(out) is tuple:
            return tuple(_wrap_plain(o, cls, args) for o in out)
        t = T._make(out)
        if cls.is_view:
            _make_view_of(t, args[0])
        return t


def _apply_recorded(cls, ctx, args):
    """Run ``cls`` and record it in the graph (some input requires grad, grad mode is on)."""
    T = Tensor
    # One pass over the arguments gathers everything the graph needs.
    arrays = []
    needs = []
    edges = []
    meta = []
    for a in args:
        if isinstance(a, T):
            data = a._data
            arrays.append(data)
            if a._requires_grad:
                needs.append(True)
                fn = a.grad_fn
                edges.append((fn, a._output_nr) if fn is not None else (accumulator_of(a), 0))
                meta.append((data.shape, data.dtype))
            else:
                needs.append(False)
                edges.append(None)
                meta.append(None)
        else:
            arrays.append(a)
            needs.append(False)
            edges.append(False)
            meta.append(None)
    ctx.needs_input_grad = tuple(needs)
    out = cls.forward(ctx, *arrays)
    ctx._edges = edges
    ctx._input_meta = meta
    if cls.saves_inputs:
        ctx._saved = [(_SAVED_INPUT, args[i], args[i]._vc[0]) if isinstance(args[i], T)
                      else (_SAVED_PLAIN, args[i], None) for i in cls.saves_inputs]
    if type(out) is not tuple:
        t = T._make(out, False, None, 0)
        out = t._data
        if out.dtype.kind in "fc" or out.dtype == _BF16:
            t._requires_grad = True
            t.grad_fn = ctx
        if cls.is_view:
            _make_view_of(t, args[0])
        if cls.saves_output:
            entry = (_SAVED_OUTPUT, (out, t._vc, 0, True), t._vc[0])
            if cls.saves_inputs:
                ctx._saved.append(entry)
            else:
                ctx._saved = [entry]
        return t
    results = []
    for nr, o in enumerate(out):
        t = T._make(o, False, None, nr)
        if t._data.dtype.kind in "fc" or t._data.dtype == _BF16:
            t._requires_grad = True
            t.grad_fn = ctx
        if cls.is_view:
            _make_view_of(t, args[0])
        results.append(t)
    ctx._output_meta = tuple((r._data.shape, r._data.dtype) for r in results)
    if cls.saves_output:
        r = results[0]
        entry = (_SAVED_OUTPUT, (r._data, r._vc, 0, True), r._vc[0])
        if cls.saves_inputs:
            ctx._saved.append(entry)
        else:
            ctx._saved = [entry]
    return tuple(results)


def _wrap_plain(array, cls, args):
    t = Tensor._make(array, False, None, 0)
    if cls.is_view:
        _make_view_of(t, args[0])
    return t


def _make_view_of(out, base):
    out._vc = base._vc
    out._base = base._base if base._base is not None else base


class _AttributeBag:
    pass


class FunctionCtx(Node):
    """The ``ctx`` of a custom autograd.Function; also its backward node."""

    __slots__ = ()
    _custom = True

    def name(self):
        return self._fn_cls.__name__ + "Backward"

    def save_for_backward(self, *tensors):
        self._to_save = tensors

    def save_for_forward(self, *tensors):
        self._to_save_forward = tensors

    def mark_non_differentiable(self, *tensors):
        self._non_differentiable = tuple(id(t) for t in tensors)

    def mark_dirty(self, *tensors):
        self._dirty = tuple(id(t) for t in tensors)

    def set_materialize_grads(self, value):
        self._materialize_grads = bool(value)

    @property
    def saved_variables(self):
        return self.saved_tensors

    @staticmethod
    def backward(ctx, *grads):
        return ctx._fn_cls.backward(ctx, *grads)


class FunctionMeta(type):
    """Gives each Function subclass its own ctx class, whose name shows in grad_fn."""

    def __init__(cls, name, bases, attrs):
        ctx_cls = type(name + "Backward", (FunctionCtx,), {"__slots__": (), "_fn_cls": cls})
        cls._backward_cls = ctx_cls
        super().__init__(name, bases, attrs)


class Function(metaclass=FunctionMeta):
    """Base class for custom differentiable operations.

    Subclasses define ``forward(ctx, *args)`` (run without recording, on Tensors) and
    ``backward(ctx, *grad_outputs)`` returning one gradient (or None) per forward argument.
    Call them through ``MyFunction.apply(*args)``.
    """

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for your custom "
                                  "autograd.Function to use it with backward mode AD.")

    vjp = backward

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError

    @classmethod
    def apply(cls, *args, **kwargs):
        from .grad_mode import set_grad_enabled_ctx
        T = Tensor
        ctx = cls._backward_cls.__new__(cls._backward_cls)
        ctx.needs_input_grad = tuple(isinstance(a, T) and a._requires_grad for a in args)
        record = _grad_state.enabled and any(ctx.needs_input_grad)
        uses_setup = cls.setup_context is not Function.setup_context
        with set_grad_enabled_ctx(False):
            if uses_setup:
                output = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, output)
            else:
                output = cls.forward(ctx, *args, **kwargs)
        multi = isinstance(output, tuple)
        outs = output if multi else (output,)
        dirty = getattr(ctx, "_dirty", ())
        input_ids = {id(a) for a in args if isinstance(a, T)}
        results = []
        for nr, o in enumerate(outs):
            if not isinstance(o, T):
                results.append(o)
                continue
            if id(o) in input_ids and id(o) not in dirty:
                # Returning an input unchanged: the output is a new tensor that aliases it.
                alias = T._make(o._data, False, None, nr)
                _make_view_of(alias, o)
                o = alias
            results.append(o)
        if record:
            ctx._edges = tuple(_edge(a) if isinstance(a, T) else False for a in args)
            ctx._input_meta = tuple((a._data.shape, a._data.dtype) if isinstance(a, T) and a._requires_grad
                                    else None for a in args)
            nondiff = getattr(ctx, "_non_differentiable", ())
            tensor_outs = []
            for nr, o in enumerate(results):
                if not isinstance(o, T):
                    continue
                if id(o) in dirty:
                    if o.grad_fn is None and o._requires_grad:
                        raise RuntimeError("a leaf Variable that requires grad has been used in an in-place operation.")
                    o._vc[0] += 1
                if id(o) in nondiff or not (o._data.dtype.kind in "fc" or o._data.dtype == _BF16):
                    o._requires_grad = False
                    o.grad_fn = None
                else:
                    o._requires_grad = True
                    o.grad_fn = ctx
                    o._output_nr = nr
                tensor_outs.append(o)
            ctx._output_meta = tuple((o._data.shape, o._data.dtype) if isinstance(o, T) else None
                                     for o in results)
        else:
            for o in results:
                if isinstance(o, T) and id(o) in dirty:
                    o._vc[0] += 1
        to_save = getattr(ctx, "_to_save", None)
        if to_save is not None:
            saved = []
            out_ids = {id(o): nr for nr, o in enumerate(results) if isinstance(o, T)}
            for t in to_save:
                if t is None or not isinstance(t, T):
                    saved.append((_SAVED_PLAIN, t, None))
                elif record and id(t) in out_ids and t.grad_fn is ctx:
                    # Saving an output by reference would make a cycle (ctx -> output -> ctx).
                    saved.append((_SAVED_OUTPUT, (t._data, t._vc, out_ids[id(t)], True), t._vc[0]))
                else:
                    saved.append((_SAVED_INPUT, t, t._vc[0]))
            ctx._saved = saved
            del ctx._to_save
        return tuple(results) if multi else results[0]

    @staticmethod
    def jvp(ctx, *grad_inputs):
        raise NotImplementedError("forward-mode AD is not implemented in ember")


class InplaceFunction(Function):
    def __init__(self, inplace=False):
        self.inplace = inplace


class NestedIOFunction(Function):
    pass


def once_differentiable(fn):
    """Mark a custom backward as not differentiable: it runs without recording a graph."""
    import functools

    from .grad_mode import set_grad_enabled_ctx

    @functools.wraps(fn)
    def wrapper(ctx, *args):
        with set_grad_enabled_ctx(False):
            outputs = fn(ctx, *args)
        if not _grad_state.enabled:
            return outputs
        # Under create_graph, the gradient it returned cannot be differentiated further.
        requires = any(isinstance(a, Tensor) and a.requires_grad for a in args)
        if not requires:
            return outputs
        single = not isinstance(outputs, tuple)
        outs = (outputs,) if single else outputs
        wrapped = tuple(_DelayedError.apply(o) if isinstance(o, Tensor) else o for o in outs)
        return wrapped[0] if single else wrapped

    return wrapper


class _DelayedErrorOp(Op):
    @staticmethod
    def forward(ctx, x):
        return x.copy()

    @staticmethod
    def backward(ctx, g):
        raise RuntimeError("trying to differentiate twice a function that was marked with @once_differentiable")


class _DelayedError:
    @staticmethod
    def apply(t):
        return _DelayedErrorOp.apply(t)
