"""ember.utils.data against torch.utils.data: same batches, same shuffles for the same seed,
real worker processes, and failure behaviour that never hangs."""
import collections
import multiprocessing
import os
import signal
import time

import numpy as np
import pytest
import torch
import torch.utils.data as tdata

import ember
import ember.utils.data as edata


def _batches(loader):
    out = []
    for b in loader:
        out.append(b.tolist() if hasattr(b, "tolist") else b)
    return out


class Squares(edata.Dataset):
    def __init__(self, n=20):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return ember.tensor([i, i * i])


class TorchSquares(tdata.Dataset):
    def __init__(self, n=20):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return torch.tensor([i, i * i])


@pytest.mark.parametrize("seed", [0, 1, 123])
@pytest.mark.parametrize("batch_size,drop_last", [(1, False), (4, False), (4, True), (7, False)])
def test_shuffled_batches_match_torch_for_the_same_seed(seed, batch_size, drop_last):
    ember.manual_seed(seed)
    torch.manual_seed(seed)
    e = _batches(edata.DataLoader(Squares(), batch_size=batch_size, shuffle=True, drop_last=drop_last))
    t = _batches(tdata.DataLoader(TorchSquares(), batch_size=batch_size, shuffle=True, drop_last=drop_last))
    assert e == t


def test_two_epochs_reshuffle_like_torch():
    ember.manual_seed(5)
    torch.manual_seed(5)
    el = edata.DataLoader(Squares(10), batch_size=3, shuffle=True)
    tl = tdata.DataLoader(TorchSquares(10), batch_size=3, shuffle=True)
    assert _batches(el) + _batches(el) == _batches(tl) + _batches(tl)


def test_generator_argument_gives_reproducible_shuffle():
    e = _batches(edata.DataLoader(Squares(12), batch_size=5, shuffle=True,
                                  generator=ember.Generator().manual_seed(9)))
    t = _batches(tdata.DataLoader(TorchSquares(12), batch_size=5, shuffle=True,
                                  generator=torch.Generator().manual_seed(9)))
    assert e == t


def test_len_and_iterating_twice():
    loader = edata.DataLoader(Squares(10), batch_size=3)
    assert len(loader) == 4
    assert _batches(loader) == _batches(loader)
    assert len(edata.DataLoader(Squares(10), batch_size=3, drop_last=True)) == 3


def test_random_split_lengths_and_fractions_match_torch():
    for lengths in ([3, 7], [0.3, 0.7], [0.25, 0.25, 0.5]):
        e = edata.random_split(range(10), lengths, generator=ember.Generator().manual_seed(42))
        t = tdata.random_split(range(10), lengths, generator=torch.Generator().manual_seed(42))
        assert [list(s) for s in e] == [list(s) for s in t]
    with pytest.raises(ValueError):
        edata.random_split(range(10), [3, 3])


@pytest.mark.parametrize("kwargs", [{}, {"replacement": True}, {"replacement": True, "num_samples": 70},
                                    {"num_samples": 25}])
def test_random_sampler_matches_torch(kwargs):
    e = list(edata.RandomSampler(range(10), generator=ember.Generator().manual_seed(1), **kwargs))
    t = list(tdata.RandomSampler(range(10), generator=torch.Generator().manual_seed(1), **kwargs))
    assert e == t


def test_subset_and_weighted_samplers_match_torch():
    e = list(edata.SubsetRandomSampler([5, 6, 7, 8], generator=ember.Generator().manual_seed(2)))
    t = list(tdata.SubsetRandomSampler([5, 6, 7, 8], generator=torch.Generator().manual_seed(2)))
    assert e == t
    w = [0.1, 0.9, 0.4, 0.6]
    for replacement in (True, False):
        e = list(edata.WeightedRandomSampler(w, 3, replacement, generator=ember.Generator().manual_seed(3)))
        t = list(tdata.WeightedRandomSampler(w, 3, replacement, generator=torch.Generator().manual_seed(3)))
        assert e == t


def test_batch_sampler_and_errors():
    assert list(edata.BatchSampler(range(7), 3, False)) == list(tdata.BatchSampler(range(7), 3, False))
    assert list(edata.BatchSampler(range(7), 3, True)) == [[0, 1, 2], [3, 4, 5]]
    with pytest.raises(ValueError):
        edata.BatchSampler(range(3), 0, False)


def test_datasets_tensor_concat_subset_chain():
    ds = edata.TensorDataset(ember.arange(4), ember.arange(4) * 10)
    assert [tuple(int(v) for v in s) for s in ds] == [(0, 0), (1, 10), (2, 20), (3, 30)]
    cat = edata.ConcatDataset([range(3), range(10, 12)])
    assert [cat[i] for i in range(len(cat))] == [0, 1, 2, 10, 11] and cat[-1] == 11
    sub = edata.Subset(range(10), [9, 3])
    assert [sub[0], sub[1], len(sub)] == [9, 3, 2]

    class It(edata.IterableDataset):
        def __init__(self, items):
            self.items = items

        def __iter__(self):
            return iter(self.items)
    assert list(edata.ChainDataset([It([1, 2]), It([3])])) == [1, 2, 3]
    with pytest.raises(AssertionError):
        edata.TensorDataset(ember.zeros(3), ember.zeros(4))


Point = collections.namedtuple("Point", "x y")


@pytest.mark.parametrize("batch", [
    [1, 2, 3], [1.5, 2.5], [True, False], ["a", "b"],
    [{"a": 1, "b": 2.0}, {"a": 3, "b": 4.0}],
    [(1, 2.0), (3, 4.0)], [[1, 2], [3, 4]],
    [Point(1, 2), Point(3, 4)],
    [np.array([1.0, 2.0], np.float32), np.array([3.0, 4.0], np.float32)],
    [np.float64(1.0), np.float64(2.0)],
])
def test_default_collate_matches_torch(batch):
    e = edata.default_collate([_ember_side(b) for b in batch])
    t = tdata.default_collate(batch)
    assert _plain(e) == _plain(t)
    assert type(e).__name__ == type(t).__name__


def test_default_collate_stacks_tensors_like_torch():
    e = edata.default_collate([ember.ones(2, 3), ember.zeros(2, 3)])
    t = tdata.default_collate([torch.ones(2, 3), torch.zeros(2, 3)])
    assert e.tolist() == t.tolist() and e.dtype.name == "float32"
    with pytest.raises(RuntimeError):
        edata.default_collate([ember.ones(2), ember.ones(3)])


def test_default_collate_rejects_unknown_types():
    with pytest.raises(TypeError, match="default_collate"):
        edata.default_collate([object(), object()])


def test_default_convert_and_batch_size_none():
    out = edata.default_convert({"a": np.arange(3), "b": [np.float32(1.0)], "s": "x"})
    assert isinstance(out["a"], ember.Tensor) and out["a"].tolist() == [0, 1, 2] and out["s"] == "x"
    loader = edata.DataLoader(Squares(3), batch_size=None)
    assert _batches(loader) == [[0, 0], [1, 1], [2, 4]]


def _ember_side(x):
    return x


def _plain(x):
    if hasattr(x, "tolist"):
        return ("tensor", str(x.dtype).replace("torch.", ""), x.tolist())
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return type(x).__name__, [_plain(v) for v in x]
    return x


# ---- worker processes -----------------------------------------------------------------

class SlowSquares(edata.Dataset):
    def __len__(self):
        return 24

    def __getitem__(self, i):
        time.sleep(0.001)
        return ember.tensor([i, os.getpid()])


def test_workers_are_real_processes_and_keep_order():
    batches = list(edata.DataLoader(SlowSquares(), batch_size=4, num_workers=2))
    values = [v for b in batches for v in b[:, 0].tolist()]
    assert values == list(range(24))
    pids = {p for b in batches for p in b[:, 1].tolist()}
    assert len(pids) == 2 and os.getpid() not in pids
    assert multiprocessing.active_children() == []


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_start_methods(method):
    loader = edata.DataLoader(edata.TensorDataset(ember.arange(10)), batch_size=3, num_workers=2,
                              multiprocessing_context=method)
    assert [b[0].tolist() for b in loader] == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]


def test_worker_shuffle_matches_single_process_and_torch():
    ember.manual_seed(11)
    a = _batches(edata.DataLoader(Squares(16), batch_size=3, shuffle=True, num_workers=2))
    ember.manual_seed(11)
    b = _batches(edata.DataLoader(Squares(16), batch_size=3, shuffle=True))
    torch.manual_seed(11)
    t = _batches(tdata.DataLoader(TorchSquares(16), batch_size=3, shuffle=True, num_workers=2))
    assert a == b == t


class SeedReport(edata.Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        info = edata.get_worker_info()
        return ember.tensor([info.id, info.num_workers, info.seed % 1000, ember.randint(0, 1000, (1,)).item()])


def test_worker_info_seeds_and_worker_init_fn(tmp_path):
    calls = tmp_path / "init"
    calls.mkdir()

    def init(worker_id):
        (calls / str(worker_id)).write_text("ok")
    ember.manual_seed(0)
    rows = [r for b in edata.DataLoader(SeedReport(), batch_size=1, num_workers=2, worker_init_fn=init)
            for r in b.tolist()]
    assert sorted(os.listdir(calls)) == ["0", "1"]
    assert [r[0] for r in rows] == [0, 1, 0, 1] and all(r[1] == 2 for r in rows)
    # Workers seed ember's generator with base_seed + worker_id, like PyTorch.
    assert rows[0][2] != rows[1][2]
    assert edata.get_worker_info() is None


class Stream(edata.IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        info = edata.get_worker_info()
        if info is None:
            return iter(range(self.n))
        return iter(range(info.id, self.n, info.num_workers))


def test_iterable_dataset_sharded_by_worker_info():
    single = sorted(v for b in edata.DataLoader(Stream(10), batch_size=2) for v in b.tolist())
    multi = sorted(v for b in edata.DataLoader(Stream(10), batch_size=2, num_workers=2) for v in b.tolist())
    assert single == multi == list(range(10))


def test_persistent_workers_survive_epochs_with_same_processes():
    loader = edata.DataLoader(SlowSquares(), batch_size=6, num_workers=2, persistent_workers=True)
    first = {p for b in loader for p in b[:, 1].tolist()}
    second = {p for b in loader for p in b[:, 1].tolist()}
    assert first == second and len(first) == 2
    loader._iterator._shutdown()
    assert multiprocessing.active_children() == []


class TorchStream(tdata.IterableDataset):
    def __iter__(self):
        return iter(range(5))


class EmberStream(edata.IterableDataset):
    def __iter__(self):
        return iter(range(5))


def test_persistent_workers_restart_an_iterable_dataset_each_epoch():
    e = edata.DataLoader(EmberStream(), batch_size=2, num_workers=1, persistent_workers=True)
    t = tdata.DataLoader(TorchStream(), batch_size=2, num_workers=1, persistent_workers=True)
    assert [_batches(e), _batches(e)] == [_batches(t), _batches(t)]
    e._iterator._shutdown()


def test_persistent_workers_draw_the_same_shuffles_as_torch_over_epochs():
    ember.manual_seed(0)
    torch.manual_seed(0)
    e = edata.DataLoader(Squares(6), batch_size=2, shuffle=True, num_workers=1, persistent_workers=True)
    t = tdata.DataLoader(TorchSquares(6), batch_size=2, shuffle=True, num_workers=1, persistent_workers=True)
    assert [_batches(e), _batches(e)] == [_batches(t), _batches(t)]
    assert ember.rand(3).tolist() == torch.rand(3).tolist()
    e._iterator._shutdown()


def test_persistent_loader_iterates_again_after_a_worker_error():
    loader = edata.DataLoader(Boom(), batch_size=2, num_workers=1, persistent_workers=True)
    for _ in range(2):
        with pytest.raises(ValueError, match="bad sample 5"):
            list(loader)
    loader._iterator._shutdown()


def test_prefetch_factor_validation():
    with pytest.raises(ValueError, match="prefetch_factor"):
        edata.DataLoader(Squares(), prefetch_factor=2)
    assert len(list(edata.DataLoader(Squares(8), batch_size=2, num_workers=2, prefetch_factor=1))) == 4


class Boom(edata.Dataset):
    def __len__(self):
        return 8

    def __getitem__(self, i):
        if i == 5:
            raise ValueError("bad sample 5")
        return i


def test_worker_exception_is_reraised_with_worker_traceback():
    with pytest.raises(ValueError) as info:
        list(edata.DataLoader(Boom(), batch_size=2, num_workers=2))
    msg = str(info.value)
    assert "DataLoader worker process" in msg and "bad sample 5" in msg and "Traceback" in msg
    assert multiprocessing.active_children() == []


class Suicide(edata.Dataset):
    def __len__(self):
        return 8

    def __getitem__(self, i):
        if i == 3:
            os.kill(os.getpid(), signal.SIGKILL)
        return i


def test_killed_worker_raises_runtime_error_quickly():
    start = time.time()
    with pytest.raises(RuntimeError, match="exited unexpectedly"):
        list(edata.DataLoader(Suicide(), batch_size=1, num_workers=2))
    assert time.time() - start < 10
    assert multiprocessing.active_children() == []


class Sleepy(edata.Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        time.sleep(5)
        return i


def test_timeout_raises_instead_of_hanging():
    start = time.time()
    with pytest.raises(RuntimeError, match="timed out after 1 seconds"):
        list(edata.DataLoader(Sleepy(), batch_size=1, num_workers=1, timeout=1))
    assert time.time() - start < 8
    assert multiprocessing.active_children() == []


def test_breaking_out_early_leaves_no_orphans():
    it = iter(edata.DataLoader(SlowSquares(), batch_size=2, num_workers=2))
    next(it)
    it._shutdown()
    del it
    assert multiprocessing.active_children() == []
