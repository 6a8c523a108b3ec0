"""Fused recurrences for RNN / LSTM / GRU layers: one op per (layer, direction).

The layer computes the input projection for every time step as one GEMM outside
these ops (``gx = x @ W_ih^T + b``); the ops here run only the part that must be
sequential: the hidden-state GEMM and the gate math at each step, in NumPy, and
the matching backward-through-time in one pass.

Sequences are described by ``steps``: a list of ``(row_start, n_active)`` pairs in
processing order (reversed for the reverse direction). Rows of ``gx`` and of the
output hold, for each time step, the ``n_active`` sequences still running (the
packed layout; a padded batch is the case where every step has the full batch).
A sequence that has ended keeps its hidden state frozen, which is also what its
final state must be.
"""
from .._backend import np
from ..autograd.function import Op

__all__ = []


def make_steps(n_time, n_batch, batch_sizes=None, reverse=False):
    """``(row_start, n_active)`` per time step, in processing order."""
    if batch_sizes is None:
        steps = [(t * n_batch, n_batch) for t in range(n_time)]
    else:
        steps, start = [], 0
        for n in batch_sizes:
            steps.append((start, int(n)))
            start += int(n)
    return steps[::-1] if reverse else steps


def _sigmoid_via_tanh_scale(H, n_gates, sigmoid_gates, dtype):
    """Column scale/shift so that one tanh gives every gate: sigmoid(x) = 0.5 * tanh(x / 2) + 0.5."""
    scale = np.ones(n_gates * H, dtype)
    shift = np.zeros(n_gates * H, dtype)
    for k in sigmoid_gates:
        scale[k * H:(k + 1) * H] = 0.5
        shift[k * H:(k + 1) * H] = 0.5
    return scale, shift


class _SequenceGrad(Op):
    """Backward-through-time of a fused recurrence, as an op so the graph records it."""

    @staticmethod
    def forward(ctx, kernel, state, *grads):
        return tuple(kernel(state, *grads))

    @staticmethod
    def backward(ctx, *grads):
        raise RuntimeError("double backward through a fused RNN/LSTM/GRU layer is not supported; use the "
                           "cell modules (RNNCell, LSTMCell, GRUCell) for higher-order gradients")


def _wrap_grads(ctx, outs, present):
    """Map the BPTT op's outputs back to one gradient (or None) per forward input."""
    result, k = [], 0
    for has in present:
        if has:
            result.append(outs[k] if ctx.needs_input_grad[len(result)] else None)
            k += 1
        else:
            result.append(None)
    return result


# --- LSTM -------------------------------------------------------------------------------

class LSTMSequence(Op):
    """Inputs: gx (N, 4H) incl. both biases, h0 (B, P), c0 (B, H), w_hh (4H, P), w_hr (P, H) or None."""

    @staticmethod
    def forward(ctx, gx, h0, c0, w_hh, w_hr, steps):
        N, G = gx.shape
        H = G // 4
        P = h0.shape[1]
        dtype = gx.dtype
        scale, shift = _sigmoid_via_tanh_scale(H, 4, (0, 1, 3), dtype)
        acts = gx * scale                      # becomes the gate activations, in place
        # NOTE: a C-contiguous W^T: OpenBLAS's small GEMM with a transposed operand is ~2x slower
        w_scaled_t = np.ascontiguousarray((w_hh * scale[:, None]).T)
        h, c = h0.copy(), c0.copy()
        h_prev = np.empty((N, P), dtype)
        c_prev = np.empty((N, H), dtype)
        tanh_c = np.empty((N, H), dtype)
        out = np.empty((N, P), dtype)
        h_raw = np.empty((N, H), dtype) if w_hr is not None else None
        w_hr_t = np.ascontiguousarray(w_hr.T) if w_hr is not None else None
        for s, n in steps:
            e = s + n
            z = acts[s:e]
            hp, cp = h[:n], c[:n]
            h_prev[s:e] = hp
            c_prev[s:e] = cp
            z += hp @ w_scaled_t
            np.tanh(z, out=z)
            z *= scale
            z += shift
            i, f, g, o = z[:, :H], z[:, H:2 * H], z[:, 2 * H:3 * H], z[:, 3 * H:]
            cn = f * cp
            cn += i * g
            c[:n] = cn
            tc = np.tanh(cn, out=tanh_c[s:e])
            hn = o * tc
            if w_hr is not None:
                h_raw[s:e] = hn
                hn = hn @ w_hr_t
            h[:n] = hn
            out[s:e] = hn
        ctx.state = (acts, h_prev, c_prev, tanh_c, h_raw, w_hh, w_hr, steps)
        return out, h, c

    @staticmethod
    def backward(ctx, g_out, g_h, g_c):
        present = (True, True, True, True, ctx.state[6] is not None)
        arrays = _SequenceGrad.apply(_lstm_backward, ctx.state, g_out, g_h, g_c)
        return (*_wrap_grads(ctx, arrays, present), None)


def _lstm_backward(state, g_out, g_h, g_c):
    acts, h_prev, c_prev, tanh_c, h_raw, w_hh, w_hr, steps = state
    N, G = acts.shape
    H = G // 4
    # h = o * tanh(c);  c = f * c_prev + i * g.  Every factor that does not depend on the
    # incoming gradient is computed for all steps at once, so the sequential loop is only
    # a few fused multiplies and the hidden-state GEMM per step.
    a3 = acts.reshape(N, 4, H)
    i, f, g, o = a3[:, 0], a3[:, 1], a3[:, 2], a3[:, 3]
    factors = np.empty_like(a3)
    np.multiply(g * i, 1 - i, out=factors[:, 0])         # dc -> d(i pre-activation)
    np.multiply(c_prev * f, 1 - f, out=factors[:, 1])    # dc -> d(f pre-activation)
    np.multiply(i, 1 - g * g, out=factors[:, 2])         # dc -> d(g pre-activation)
    np.multiply(tanh_c * o, 1 - o, out=factors[:, 3])    # dh -> d(o pre-activation)
    dh_to_dc = o * (1 - tanh_c * tanh_c)
    dh = g_h.copy()
    dc = g_c.copy()
    d_gates = np.empty_like(acts)
    dz3 = d_gates.reshape(N, 4, H)
    d_hout = np.empty_like(h_prev) if w_hr is not None else None
    for s, n in reversed(steps):
        e = s + n
        d = g_out[s:e] + dh[:n]
        if w_hr is not None:
            d_hout[s:e] = d
            d = d @ w_hr
        dcn = d * dh_to_dc[s:e]
        dcn += dc[:n]
        np.multiply(factors[s:e, :3], dcn[:, None, :], out=dz3[s:e, :3])
        np.multiply(factors[s:e, 3], d, out=dz3[s:e, 3])
        np.multiply(dcn, f[s:e], out=dc[:n])
        dh[:n] = d_gates[s:e] @ w_hh
    grads = [d_gates, dh, dc, d_gates.T @ h_prev]
    if w_hr is not None:
        grads.append(d_hout.T @ h_raw)
    return grads


# --- GRU --------------------------------------------------------------------------------

class GRUSequence(Op):
    """Inputs: gx (N, 3H) incl. b_ih, h0 (B, H), w_hh (3H, H), b_hh (3H) or None."""

    @staticmethod
    def forward(ctx, gx, h0, w_hh, b_hh, steps):
        N, G = gx.shape
        H = G // 3
        dtype = gx.dtype
        w_t = np.ascontiguousarray(w_hh.T)  # contiguous: faster small GEMMs per step
        h = h0.copy()
        h_prev = np.empty((N, H), dtype)
        acts = np.empty((N, G), dtype)
        gh_n = np.empty((N, H), dtype)
        out = np.empty((N, H), dtype)
        for s, n in steps:
            e = s + n
            hp = h[:n]
            h_prev[s:e] = hp
            gh = hp @ w_t
            if b_hh is not None:
                gh += b_hh
            gh_n[s:e] = gh[:, 2 * H:]
            a = acts[s:e]
            rz = a[:, :2 * H]
            np.add(gx[s:e, :2 * H], gh[:, :2 * H], out=rz)
            # sigmoid(x) = 0.5 * tanh(x / 2) + 0.5, in place
            rz *= 0.5
            np.tanh(rz, out=rz)
            rz *= 0.5
            rz += 0.5
            r, z = a[:, :H], a[:, H:2 * H]
            nn = a[:, 2 * H:]
            np.multiply(r, gh[:, 2 * H:], out=nn)
            nn += gx[s:e, 2 * H:]
            np.tanh(nn, out=nn)
            hn = hp - nn
            hn *= z
            hn += nn
            h[:n] = hn
            out[s:e] = hn
        ctx.state = (acts, h_prev, gh_n, w_hh, b_hh is not None, steps)
        return out, h

    @staticmethod
    def backward(ctx, g_out, g_h):
        present = (True, True, True, ctx.state[4])
        arrays = _SequenceGrad.apply(_gru_backward, ctx.state, g_out, g_h)
        return (*_wrap_grads(ctx, arrays, present), None)


def _gru_backward(state, g_out, g_h):
    acts, h_prev, gh_n, w_hh, has_bias, steps = state
    N, G = acts.shape
    H = G // 3
    dh = g_h.copy()
    d_gx = np.empty_like(acts)
    d_gh = np.empty_like(acts)
    for s, n in reversed(steps):
        e = s + n
        d = g_out[s:e] + dh[:n]
        a = acts[s:e]
        r, z, nn = a[:, :H], a[:, H:2 * H], a[:, 2 * H:]
        # h = (1 - z) * n + z * h_prev;  n = tanh(gx_n + r * gh_n)
        dzn = d * (1 - z) * (1 - nn * nn)
        dx = d_gx[s:e]
        dx[:, :H] = dzn * gh_n[s:e] * r * (1 - r)
        dx[:, H:2 * H] = d * (h_prev[s:e] - nn) * z * (1 - z)
        dx[:, 2 * H:] = dzn
        dg = d_gh[s:e]
        dg[:, :2 * H] = dx[:, :2 * H]
        dg[:, 2 * H:] = dzn * r
        dh[:n] = d * z + dg @ w_hh
    grads = [d_gx, dh, d_gh.T @ h_prev]
    if has_bias:
        grads.append(d_gh.sum(0))
    return grads


# --- Elman RNN (tanh / relu) ------------------------------------------------------------

class RNNSequence(Op):
    """Inputs: gx (N, H) incl. both biases, h0 (B, H), w_hh (H, H)."""

    @staticmethod
    def forward(ctx, gx, h0, w_hh, relu, steps):
        N, H = gx.shape
        w_t = np.ascontiguousarray(w_hh.T)  # contiguous: faster small GEMMs per step
        h = h0.copy()
        h_prev = np.empty((N, H), gx.dtype)
        out = np.empty((N, H), gx.dtype)
        for s, n in steps:
            e = s + n
            hp = h[:n]
            h_prev[s:e] = hp
            z = out[s:e]
            np.add(gx[s:e], hp @ w_t, out=z)
            if relu:
                np.maximum(z, 0, out=z)
            else:
                np.tanh(z, out=z)
            h[:n] = z
        ctx.state = (out, h_prev, w_hh, relu, steps)
        return out, h

    @staticmethod
    def backward(ctx, g_out, g_h):
        arrays = _SequenceGrad.apply(_rnn_backward, ctx.state, g_out, g_h)
        return (*_wrap_grads(ctx, arrays, (True, True, True)), None, None)


def _rnn_backward(state, g_out, g_h):
    out, h_prev, w_hh, relu, steps = state
    dh = g_h.copy()
    d_gx = np.empty_like(out)
    for s, n in reversed(steps):
        e = s + n
        d = g_out[s:e] + dh[:n]
        y = out[s:e]
        dz = d_gx[s:e]
        if relu:
            np.multiply(d, y > 0, out=dz)
        else:
            np.multiply(d, 1 - y * y, out=dz)
        dh[:n] = dz @ w_hh
    return [d_gx, dh, d_gx.T @ h_prev]

