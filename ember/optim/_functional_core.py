"""The array-level core of ember.optim: fused in-place update kernels and their executor.

This is the only optim module that touches arrays. Each optimizer collects one job per
parameter -- ``(kernel, arrays, scalars)`` -- and hands the list to :func:`run`, which
updates the arrays in place without building autograd nodes.

Why blocks: a kernel is a short chain of ``out=`` ufunc calls. Run over a whole 40 MB
tensor, every call streams the tensor through memory again; run over cache-sized
blocks, the temporaries stay in cache and each state array is read and written about
once per step. Blocks of large steps are spread over a small thread pool (NumPy drops
the GIL inside ufunc loops). On CuPy the arrays are handed over whole.

NOTE on numerics: kernels follow the operation order of PyTorch's single-tensor CPU
path (scalars rounded to the array dtype, the same multiply/divide order), so
trajectories agree with PyTorch to a few units in the last place. They are not
bit-identical: PyTorch's CPU kernels fuse ``a + alpha * b`` (add with alpha, addcmul,
lerp) into FMA instructions and its float32 ``sqrt`` is not correctly rounded. The one
exception is plain SGD (``sgd_blas``): its updates are exactly BLAS scal/axpy, whose fused
multiply-add rounds like PyTorch's, so those trajectories are bit-identical.
"""
import threading
from concurrent.futures import ThreadPoolExecutor

from .. import _blas_direct, _threads
from .._backend import np
from ..ops._common import xp_of

BLOCK = 1 << 16            # elements per block: the ~6 arrays of an Adam block (1.5 MB) fit in L2
# Below this many elements a step runs on the calling thread. Each block is ~10 short NumPy
# calls, and two threads pass the GIL back and forth between every one of them: measured on
# 2 cores, threads first pay for Adam at ~3M elements and for SGD-momentum at ~6M (at 1.2M
# they made SGD 30% slower).
_PARALLEL_MIN = 1 << 22
_MAX_THREADS = 8           # more threads than this only fight over memory bandwidth

_pool = None
_pool_threads = None       # the thread count _pool was made for
_pool_lock = threading.Lock()
_scratch = threading.local()


# ----------------------------------------------------------------------------------------
# Small array helpers used by the optimizer classes
# ----------------------------------------------------------------------------------------

def bump(tensors):
    """Advance the version counters of tensors written in place (keeps saved-tensor checks honest)."""
    for t in tensors:
        t._vc[0] += 1


def increment(t):
    """``t += 1`` on a 0-dim step tensor; returns the new value as a Python float."""
    t._data[...] += 1
    t._vc[0] += 1
    return float(t._data)


def value(t):
    """A 0-dim tensor's value as a Python float (what ``Tensor.item`` gives)."""
    return float(t._data)


def set_value(t, v, via=None):
    """Store ``v`` into a 0-dim tensor, rounding to its dtype (first to ``via``, a NumPy dtype, if given)."""
    t._data[...] = v if via is None else via.type(v)
    t._vc[0] += 1


def scale_(t, factor):
    """``t *= factor`` on a 0-dim tensor (rounding like a tensor op in its dtype)."""
    t._data[...] *= t._data.dtype.type(factor)
    t._vc[0] += 1


def abs_max(t):
    """``t.abs().max()`` as a 0-dim tensor of t's dtype."""
    from .._tensor import Tensor
    a = t._data
    return Tensor._make(xp_of(a).asarray(abs(a).max()))


def nonzero_rows(grad):
    """Boolean mask over dim 0: the rows a dense gradient touches (SparseAdam's fallback)."""
    a = grad._data
    xp = xp_of(a)
    if a.ndim <= 1:
        return a != 0
    return xp.any(a.reshape(a.shape[0], -1) != 0, axis=1)


# ----------------------------------------------------------------------------------------
# Executor
# ----------------------------------------------------------------------------------------

def _real(a):
    """Complex arrays are updated through a real view, as PyTorch's view_as_real does."""
    if a is not None and a.dtype.kind == "c":
        return a.view(a.real.dtype)
    return a


def _temps(xp, like, count):
    """``count`` scratch arrays shaped like ``like`` (per-thread, reused between blocks)."""
    if count == 0:
        return ()
    if xp is not np:
        return tuple(xp.empty_like(like) for _ in range(count))
    n = like.size
    cache = getattr(_scratch, "bufs", None)
    if cache is None:
        cache = _scratch.bufs = {}
    bufs = cache.get(like.dtype)
    if bufs is None or len(bufs) < count or bufs[0].size < n:
        size = max(n, BLOCK) if n <= BLOCK else n
        bufs = [np.empty(size, like.dtype) for _ in range(max(count, len(bufs or ())))]
        if n <= BLOCK:  # keep only block-sized buffers around
            cache[like.dtype] = bufs
    return tuple(b[:n].reshape(like.shape) for b in bufs[:count])


def _run_items(items):
    key = temps = None
    for kernel, arrays, scalars, ntemp in items:
        first = arrays[0]
        if type(first) is np.ndarray:
            # Consecutive blocks of one parameter share a shape: reuse their scratch views.
            if key is None or key[0] != first.shape or key[1] != first.dtype or key[2] != ntemp:
                key, temps = (first.shape, first.dtype, ntemp), _temps(np, first, ntemp)
            kernel(np, *arrays, *temps, *scalars)
        else:
            xp = xp_of(first)
            kernel(xp, *arrays, *_temps(xp, first, ntemp), *scalars)


def _get_pool():
    """The optimizer's pool for the current ``ember.set_num_threads`` setting (False: 1 thread)."""
    global _pool, _pool_threads
    n = min(_MAX_THREADS, _threads.num_threads())
    if n != _pool_threads:
        with _pool_lock:
            if n != _pool_threads:
                # The old pool is just dropped, not shut down (a step running in another thread
                # may still submit to it); its idle threads exit once it is garbage-collected.
                _pool = ThreadPoolExecutor(n, thread_name_prefix="ember-optim") if n > 1 else False
                _pool_threads = n
    return _pool


def run(jobs):
    """Run ``(kernel, arrays, scalars, ntemp)`` jobs; each kernel updates its arrays in place.

    A kernel is called as ``kernel(xp, *arrays, *temps, *scalars)``; the arrays (some may
    be None) and the ``ntemp`` scratch arrays share one shape. A kernel must be
    elementwise: it may be called on any contiguous block of its arrays.
    """
    items = []
    total = 0
    for kernel, arrays, scalars, ntemp in jobs:
        if getattr(kernel, "whole_arrays", False):
            kernel(np, *arrays, *scalars)
            continue
        arrays = [_real(a) for a in arrays]
        first = arrays[0]
        n = first.size
        if n == 0:
            continue
        total += n
        if n > BLOCK and type(first) is np.ndarray and \
                all(a is None or a.flags.c_contiguous for a in arrays):
            flat = [None if a is None else a.reshape(-1) for a in arrays]
            for s in range(0, n, BLOCK):
                items.append((kernel, [None if f is None else f[s:s + BLOCK] for f in flat],
                              scalars, ntemp))
        else:
            items.append((kernel, arrays, scalars, ntemp))
    pool = _get_pool() if total >= _PARALLEL_MIN else False
    if not pool or len(items) < 2:
        _run_items(items)
        return
    per = -(-len(items) // pool._max_workers)
    futures = [pool.submit(_run_items, items[i:i + per]) for i in range(0, len(items), per)]
    for f in futures:
        f.result()


# ----------------------------------------------------------------------------------------
# Shared stages
# ----------------------------------------------------------------------------------------

def _effective_grad(xp, p, g, t, maximize, weight_decay):
    """The gradient the update uses: ``-g`` if maximizing, plus ``weight_decay * p``.

    Written into the scratch ``t`` when it differs from ``g``; ``g`` is never modified.
    """
    if not maximize and weight_decay == 0:
        return g
    if maximize:
        xp.negative(g, out=t)
    else:
        t[...] = g
    if weight_decay != 0:
        t += p * weight_decay
    return t


def _lerp_(xp, start, end, weight, t):
    """``start.lerp_(end, weight)`` in PyTorch's two-branch form (exact at weight 0 and 1)."""
    xp.subtract(end, start, out=t)
    w = start.dtype.type(weight)
    if abs(w) < 0.5:
        t *= w
        start += t
    else:
        t *= w - start.dtype.type(1)
        xp.add(end, t, out=start)


def _ema_sq_(xp, avg, g, decay, t):
    """``avg.mul_(decay).addcmul_(g, g, value=1 - decay)``."""
    avg *= decay
    xp.multiply(g, 1 - decay, out=t)
    t *= g
    avg += t


def _decay_and_grad(xp, p, g, t, lr, weight_decay, decoupled, maximize):
    """Decoupled decay shrinks p first (AdamW style); coupled decay goes into the gradient."""
    if decoupled:
        if weight_decay != 0:
            p *= 1 - lr * weight_decay
        return _effective_grad(xp, p, g, t, maximize, 0)
    return _effective_grad(xp, p, g, t, maximize, weight_decay)


# ----------------------------------------------------------------------------------------
# Kernels, one per optimizer family (argument order: arrays, temps, scalars)
# ----------------------------------------------------------------------------------------

def sgd(xp, p, g, buf, t, u, lr, weight_decay, maximize, momentum, dampening, nesterov, first):
    """SGD; ``buf`` is None without momentum. On the ``first`` step buf = copy of the gradient."""
    g = _effective_grad(xp, p, g, t, maximize, weight_decay)
    if buf is None:
        xp.multiply(g, -lr, out=u)
        p += u
        return
    if first:
        buf[...] = g
    else:
        buf *= momentum
        if dampening == 0:
            buf += g
        else:
            xp.multiply(g, 1 - dampening, out=u)
            buf += u
    if nesterov:  # grad + momentum * buf
        xp.multiply(buf, momentum, out=u)
        u += g
        u *= -lr
    else:
        xp.multiply(buf, -lr, out=u)
    p += u


def sgd_blas(xp, p, g, buf, lr, momentum, first):
    """Plain SGD (no dampening, Nesterov, weight decay or maximize) on whole arrays with BLAS:
    buf = momentum * buf + g; p += -lr * buf, each a single-rounding pass exactly like PyTorch's
    ``mul_``/``add_(alpha=)``. The caller has checked ``_blas_direct.usable`` on every array."""
    if buf is None:
        _blas_direct.axpy(-lr, g, p)
        return
    if first:
        buf[...] = g
    else:
        _blas_direct.scal(momentum, buf)
        _blas_direct.axpy(1.0, g, buf)
    _blas_direct.axpy(-lr, buf, p)


sgd_blas.whole_arrays = True   # run() hands it whole arrays on this thread: OpenBLAS threads it


def adam(xp, p, g, m, v, vmax, t, u, lr, beta1, beta2, eps, weight_decay, decoupled, maximize,
         step_size, bc2_sqrt):
    """Adam / AdamW; ``vmax`` (amsgrad) may be None."""
    g = _decay_and_grad(xp, p, g, t, lr, weight_decay, decoupled, maximize)
    _lerp_(xp, m, g, 1 - beta1, u)
    _ema_sq_(xp, v, g, beta2, u)
    if vmax is not None:
        xp.maximum(vmax, v, out=vmax)
        v = vmax
    # denom = sqrt(v) / bc2_sqrt + eps ;  p += (-step_size * m) / denom
    xp.sqrt(v, out=u)
    u /= bc2_sqrt
    u += eps
    xp.multiply(m, -step_size, out=t)
    t /= u
    p += t


def adamax(xp, p, g, m, u_inf, t, u, beta1, beta2, eps, weight_decay, maximize, clr):
    g = _effective_grad(xp, p, g, t, maximize, weight_decay)
    _lerp_(xp, m, g, 1 - beta1, u)
    # exp_inf = max(exp_inf * beta2, |g| + eps)
    u_inf *= beta2
    xp.abs(g, out=u)
    u += eps
    xp.maximum(u_inf, u, out=u_inf)
    xp.multiply(m, -clr, out=t)
    t /= u_inf
    p += t


def nadam(xp, p, g, m, v, t, u, lr, beta1, beta2, eps, weight_decay, decoupled, maximize,
          bias_correction2, grad_coef, avg_coef):
    g = _decay_and_grad(xp, p, g, t, lr, weight_decay, decoupled, maximize)
    _lerp_(xp, m, g, 1 - beta1, u)
    _ema_sq_(xp, v, g, beta2, u)
    # denom = sqrt(v / bias_correction2) + eps ;  p += grad_coef*g/denom + avg_coef*m/denom
    xp.divide(v, bias_correction2, out=u)
    xp.sqrt(u, out=u)
    u += eps
    if g is t:
        t *= grad_coef
    else:
        xp.multiply(g, grad_coef, out=t)
    t /= u
    p += t
    xp.multiply(m, avg_coef, out=t)
    t /= u
    p += t


def radam(xp, p, g, m, v, t, u, lr, beta1, beta2, eps, weight_decay, decoupled, maximize,
          bias_correction1, bias_correction2, rect):
    """``rect`` is None while the variance is intractable (rho_t <= 5): plain momentum step."""
    g = _decay_and_grad(xp, p, g, t, lr, weight_decay, decoupled, maximize)
    _lerp_(xp, m, g, 1 - beta1, u)
    _ema_sq_(xp, v, g, beta2, u)
    # step = (m / bc1) * lr [* (1 / (sqrt(v) + eps)) * sqrt(bc2) * rect]
    xp.divide(m, bias_correction1, out=t)
    t *= lr
    if rect is not None:
        xp.sqrt(v, out=u)
        u += eps
        xp.reciprocal(u, out=u)
        u *= bias_correction2 ** 0.5
        t *= u
        t *= rect
    p -= t


def rmsprop(xp, p, g, sq, gavg, buf, t, u, lr, alpha, eps, weight_decay, momentum, maximize):
    """``gavg`` (centered) and ``buf`` (momentum) may be None."""
    g = _effective_grad(xp, p, g, t, maximize, weight_decay)
    _ema_sq_(xp, sq, g, alpha, u)
    if gavg is not None:
        _lerp_(xp, gavg, g, 1 - alpha, u)
        xp.multiply(gavg, gavg, out=u)      # avg = sqrt(sq - gavg^2)
        xp.subtract(sq, u, out=u)
        xp.sqrt(u, out=u)
    else:
        xp.sqrt(sq, out=u)
    u += eps
    if buf is not None:  # buf = momentum * buf + g / avg ;  p -= lr * buf
        buf *= momentum
        xp.divide(g, u, out=t)
        buf += t
        xp.multiply(buf, -lr, out=t)
    else:                # p += (-lr * g) / avg
        xp.multiply(g, -lr, out=t)
        t /= u
    p += t


def adagrad(xp, p, g, acc, t, u, clr, eps, weight_decay, maximize):
    g = _effective_grad(xp, p, g, t, maximize, weight_decay)
    xp.multiply(g, g, out=u)
    acc += u
    xp.sqrt(acc, out=u)
    u += eps
    xp.multiply(g, -clr, out=t)
    t /= u
    p += t


def adadelta(xp, p, g, sq, acc_delta, t, u, w, lr, rho, eps, weight_decay, maximize):
    g = _effective_grad(xp, p, g, t, maximize, weight_decay)
    _ema_sq_(xp, sq, g, rho, u)
    xp.add(sq, eps, out=u)              # std = sqrt(sq + eps)
    xp.sqrt(u, out=u)
    xp.add(acc_delta, eps, out=w)       # delta = sqrt(acc_delta + eps) / std * g
    xp.sqrt(w, out=w)
    w /= u
    w *= g
    _ema_sq_(xp, acc_delta, w, rho, u)
    w *= -lr
    p += w


def asgd(xp, p, g, ax, t, u, eta, lambd, mu, weight_decay, maximize):
    g = _effective_grad(xp, p, g, t, maximize, weight_decay)
    p *= 1 - lambd * eta
    xp.multiply(g, -eta, out=u)
    p += u
    if mu != 1:  # ax += (p - ax) * mu
        xp.subtract(p, ax, out=u)
        u *= mu
        ax += u
    else:
        ax[...] = p


def rprop(xp, p, g, prev, step_size, t, u, etaminus, etaplus, step_size_min, step_size_max, maximize):
    if maximize:
        xp.negative(g, out=t)
        g = t
    dt = p.dtype.type
    # sign(g * prev) picks the step-size factor: etaplus (>0), etaminus (<0) or 1 (=0)
    xp.multiply(g, prev, out=u)
    flipped = u < 0
    factor = xp.where(u > 0, dt(etaplus), xp.where(flipped, dt(etaminus), dt(1)))
    step_size *= factor
    xp.clip(step_size, dt(step_size_min), dt(step_size_max), out=step_size)
    # where the sign flipped the gradient counts as zero: no step, and prev becomes 0
    prev[...] = g
    prev[flipped] = 0
    xp.sign(prev, out=u)
    u *= step_size
    p -= u


def sparse_adam_rows(p, g, m, v, rows, lr, beta1, beta2, eps, step):
    """SparseAdam on the rows (dim 0) that a dense gradient touches; other rows stay as they are."""
    import math
    xp = xp_of(p)
    if p.ndim == 0:
        if not bool(rows):
            return
        p, g, m, v = (a.reshape(1) for a in (p, g, m, v))
        rows = rows.reshape(1)
    idx = xp.nonzero(rows)[0]
    if idx.size == 0:
        return
    gv = g[idx]
    old_m = m[idx]
    upd_m = (gv - old_m) * (1 - beta1)
    m[idx] = old_m + upd_m
    old_v = v[idx]
    upd_v = (gv ** 2 - old_v) * (1 - beta2)
    v[idx] = old_v + upd_v
    upd_m += old_m
    upd_v += old_v
    denom = xp.sqrt(upd_v) + eps
    step_size = lr * math.sqrt(1 - beta2 ** step) / (1 - beta1 ** step)
    upd_m /= denom
    p[idx] = p[idx] + upd_m * -step_size
