"""The backward engine: iterative, so graph depth is bounded only by memory.

One pass orders the reachable nodes topologically (an explicit-stack depth-first
search, never recursion); a second pass runs each node once, after every consumer
of its outputs has delivered its gradient, summing gradients that meet.
"""
from .grad_mode import set_grad_enabled_ctx
from .grad_mode import state as _grad_state
from .node import AccumulateGrad, gradient_edge


def _topological_order(roots):
    """Nodes reachable from ``roots``, each after all nodes that feed gradient into it."""
    # Nodes hash by identity, so they key the visited set directly.
    visited = set()
    post_order = []
    for root in roots:
        if root in visited:
            continue
        visited.add(root)
        stack = [(root, iter(root._edges or ()))]
        while stack:
            node, children = stack[-1]
            for edge in children:
                if edge:
                    child = edge[0]
                    if child not in visited:
                        visited.add(child)
                        stack.append((child, iter(getattr(child, "_edges", None) or ())))
                        break
            else:
                stack.pop()
                post_order.append(node)
    post_order.reverse()
    return post_order


def _nodes_leading_to(order, targets):
    """ids of nodes from which some target node is reachable (the ones worth running)."""
    needed = set()
    for node in reversed(order):  # children before parents
        if id(node) in targets:
            needed.add(id(node))
            continue
        for edge in node._edges or ():
            if edge and id(edge[0]) in needed:
                needed.add(id(node))
                break
    return needed


def _sum_to(grad, shape, dtype):
    """Undo broadcasting and promotion: reduce ``grad`` to ``shape``, cast to ``dtype``."""
    data = grad._data
    if not _grad_state.enabled and data.dtype == dtype and _reducible(data.shape, shape):
        # Nothing is recorded: reduce the array directly (what SumToSize's forward does).
        return grad._make(_sum_to_shape_array()(data, shape))
    if grad._data.shape != shape:
        grad = grad.sum_to_size(shape) if len(shape) else grad.sum()
        if grad._data.shape != shape:
            grad = grad.reshape(shape)
    if grad._data.dtype != dtype:
        if grad._data.dtype.kind == "c" and dtype.kind != "c":
            grad = grad.real  # a real input of a complex op: its gradient is the real part
        grad = grad.to(_dtype_of(dtype))
    return grad


def _reducible(have, want):
    """Whether ``want`` broadcasts to ``have`` (so ``have`` sums down to it)."""
    lead = len(have) - len(want)
    if lead < 0:
        return False
    for i, s in enumerate(want):
        if s != 1 and s != have[lead + i]:
            return False
    return True


_sum_to_array = None


def _sum_to_shape_array():
    global _sum_to_array
    if _sum_to_array is None:  # ember.ops imports autograd, so this import waits for first use
        from ..ops.shape import sum_to_shape_array
        _sum_to_array = sum_to_shape_array
    return _sum_to_array


def _dtype_of(np_dtype):
    from .._dtype import from_numpy_dtype
    return from_numpy_dtype(np_dtype)


def _zeros_for(meta):
    from .._tensor import Tensor
    from .._backend import np
    shape, dtype = meta
    return Tensor._make(np.zeros(shape, dtype), False, None, 0)


def run_backward(roots, root_grads, retain_graph, create_graph, inputs=None, accumulate=True,
                 allow_unused=True):
    """Propagate ``root_grads`` from the edges ``roots`` ((node, output_nr) pairs).

    With ``inputs`` (tensors), gradients reaching them are captured and returned; when
    ``accumulate`` is False (autograd.grad) nothing is written into ``.grad``.
    """
    buffers = {}  # node -> list of summed grads per output (the key keeps the node alive)
    for (node, nr), g in zip(roots, root_grads):
        _add_to_buffer(buffers, node, nr, g)
    root_nodes = [node for node, _ in roots]
    order = _topological_order(root_nodes)

    captures = None   # id(node) -> {output_nr: index into inputs}
    captured = None
    needed = None
    if inputs is not None:
        captures, captured = {}, [None] * len(inputs)
        for i, t in enumerate(inputs):
            node, nr = gradient_edge(t)
            captures.setdefault(id(node), {}).setdefault(nr, []).append(i)
        needed = _nodes_leading_to(order, captures)

    with set_grad_enabled_ctx(bool(create_graph)):
        for node in order:
            grads = buffers.pop(node, None)
            if grads is None:
                continue
            if needed is not None and id(node) not in needed:
                continue
            if node._pre_hooks:
                grads = _run_tensor_prehooks(node, grads)
            is_leaf = type(node) is AccumulateGrad or isinstance(node, AccumulateGrad)
            if not is_leaf:
                node_hooks = node.__dict__.get("_node_pre_hooks")
                if node_hooks:
                    for hook in list(node_hooks.values()):
                        new = hook(tuple(grads))
                        if new is not None:
                            grads = list(new)
            if captures is not None and id(node) in captures:
                for nr, positions in captures[id(node)].items():
                    g = grads[nr] if nr < len(grads) else None
                    if is_leaf and not accumulate:
                        g = _leaf_hooks(node.variable, g)
                    for i in positions:
                        captured[i] = g
                if not accumulate and (is_leaf or not _leads_further(node, needed)):
                    continue
            if is_leaf:
                if accumulate and grads[0] is not None:
                    g = grads[0]
                    grads = None  # the leaf may take the gradient's memory if nothing else holds it
                    node.accumulate(g)
                continue
            _call_node(node, grads, buffers, retain_graph)
    if captured is not None and not allow_unused:
        for i, g in enumerate(captured):
            if g is None:
                raise RuntimeError("One of the differentiated Tensors appears to not have been used in the "
                                   "graph. Set allow_unused=True if this is the desired behavior.")
    return captured


def _leads_further(node, needed):
    for edge in node._edges or ():
        if edge and id(edge[0]) in needed:
            return True
    return False


def _leaf_hooks(var, g):
    if g is not None and var._backward_hooks:
        for hook in list(var._backward_hooks.values()):
            new = hook(g)
            if new is not None:
                g = new
    return g


def _run_tensor_prehooks(node, grads):
    hooks_by_output = getattr(node, "_pre_hooks", None)
    if hooks_by_output:
        for nr, hooks in hooks_by_output.items():
            if nr < len(grads) and grads[nr] is not None:
                for hook in list(hooks.values()):
                    new = hook(grads[nr])
                    if new is not None:
                        grads[nr] = new
    return grads


def _call_node(node, grads, buffers, retain_graph):
    meta = node._output_meta
    if meta is not None:
        if node._materialize_grads:
            for i, g in enumerate(grads):
                if g is None and meta[i] is not None:
                    grads[i] = _zeros_for(meta[i])
        if len(grads) < len(meta):
            grads.extend([_zeros_for(m) if (node._materialize_grads and m is not None) else None
                          for m in meta[len(grads):]])
    result = node.backward(node, *grads)
    if not retain_graph:
        node._release()
    if type(result) is not tuple:
        result = (result,)
    edges = node._edges
    if node._custom:
        _check_custom_result(node, result, edges)
    input_meta = node._input_meta
    post = node._post_hooks
    if post:
        for hook in list(post.values()):
            new = hook(result, tuple(grads))
            if new is not None:
                result = tuple(new)
    n = len(result)
    for i, edge in enumerate(edges):
        if not edge or i >= n:
            continue
        g = result[i]
        if g is None:
            continue
        shape, dtype = input_meta[i]
        data = g._data
        if data.shape != shape or data.dtype != dtype:
            g = _sum_to(g, shape, dtype)
        target, nr = edge
        buf = buffers.get(target)
        if buf is None:
            if nr == 0:
                buffers[target] = [g]
            else:
                buf = buffers[target] = [None] * (nr + 1)
                buf[nr] = g
        else:
            if len(buf) <= nr:
                buf.extend([None] * (nr + 1 - len(buf)))
            old = buf[nr]
            buf[nr] = g if old is None else old + g


def _check_custom_result(node, result, edges):
    n_inputs = len(edges)
    if len(result) < n_inputs:
        raise RuntimeError(f"function {node.name()} returned an incorrect number of gradients "
                           f"(expected {n_inputs}, got {len(result)})")
    if len(result) > n_inputs and any(r is not None for r in result[n_inputs:]):
        raise RuntimeError(f"function {node.name()} returned an incorrect number of gradients "
                           f"(expected {n_inputs}, got {len(result)})")
    from .._tensor import Tensor
    for i, (g, edge) in enumerate(zip(result, edges)):
        if g is None or not edge:
            continue
        if not isinstance(g, Tensor):
            raise TypeError(f"function {node.name()} returned a gradient of type {type(g).__name__} "
                            f"at index {i}, expected a Tensor or None")
        shape = node._input_meta[i][0]
        if g._data.shape != shape:
            import numpy
            try:
                compatible = len(shape) == 0 or numpy.broadcast_shapes(shape, g._data.shape) == g._data.shape
            except ValueError:
                compatible = False
            if not compatible:
                raise RuntimeError(
                    f"Function {node.name()} returned an invalid gradient at index {i} - got "
                    f"[{', '.join(map(str, g._data.shape))}] but expected shape compatible with "
                    f"[{', '.join(map(str, shape))}]")


def _add_to_buffer(buffers, node, nr, g):
    buf = buffers.get(node)
    if buf is None:
        buf = buffers[node] = [None] * (nr + 1)
    elif len(buf) <= nr:
        buf.extend([None] * (nr + 1 - len(buf)))
    old = buf[nr]
    buf[nr] = g if old is None else old + g
