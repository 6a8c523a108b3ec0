"""The loop a DataLoader worker process runs, and get_worker_info()."""
import os
import queue
import random
import sys
import traceback


class WorkerInfo:
    """What a worker knows about itself: id, num_workers, seed, dataset (its own copy)."""

    def __init__(self, **kwargs):
        for k, v in kwargs.items():
            setattr(self, k, v)
        self._frozen = True

    def __setattr__(self, key, value):
        if getattr(self, "_frozen", False):
            raise RuntimeError(f"Cannot assign attributes to {self.__class__.__name__} objects")
        super().__setattr__(key, value)

    def __repr__(self):
        return f"WorkerInfo(id={self.id}, num_workers={self.num_workers}, seed={self.seed}, dataset={self.dataset!r})"


_worker_info = None


def get_worker_info():
    """Inside a worker process: its WorkerInfo. In the main process: None."""
    return _worker_info


class ExceptionWrapper:
    """An exception from a worker, carried to the main process with its traceback text."""

    def __init__(self, exc_info, where):
        self.exc_type = exc_info[0]
        self.exc_msg = "".join(traceback.format_exception(*exc_info))
        self.where = where

    def reraise(self):
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        try:
            exc = self.exc_type(msg)
        except Exception:
            raise RuntimeError(msg) from None
        raise exc


class IterableDatasetStop:
    """Sent by a worker whose iterable dataset is exhausted."""

    def __init__(self, worker_id):
        self.worker_id = worker_id


def numpy_seed_from(base_seed, worker_id):
    """A 4-word NumPy seed mixed from (base_seed, worker_id), the same words PyTorch feeds NumPy."""
    mask = 0xFFFFFFFF
    consts = {"a": 0x43B0D7E5}

    def hash32(value):
        value = (value ^ consts["a"]) & mask
        consts["a"] = (consts["a"] * 0x931E8875) & mask
        value = (value * consts["a"]) & mask
        return (value ^ (value >> 16)) & mask

    def mix(x, y):
        r = ((0xCA01F9DD * x) & mask) - ((0x4973F715 * y) & mask)
        r &= mask
        return (r ^ (r >> 16)) & mask

    pool = [hash32(v) for v in (worker_id, base_seed & mask, base_seed >> 32, 0)]
    for src in range(4):
        for dst in range(4):
            if src != dst:
                pool[dst] = mix(pool[dst], hash32(pool[src]))
    state, b = [], 0x8B51F9DD
    for value in pool:
        value = (value ^ b) & mask
        b = (b * 0x58F38DED) & mask
        value = (value * b) & mask
        state.append((value ^ (value >> 16)) & mask)
    return state


def worker_loop(dataset_kind, dataset, index_queue, result_queue, auto_collation, collate_fn, drop_last,
                base_seed, init_fn, worker_id, num_workers, parent_pid):
    """Fetch (and collate) the batches the main process asks for until told to stop."""
    global _worker_info
    try:
        import numpy as np

        import ember
        seed = base_seed + worker_id
        random.seed(seed)
        ember.manual_seed(seed)
        np.random.seed(numpy_seed_from(base_seed, worker_id))
        _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed, dataset=dataset)
        init_error = None
        try:
            if init_fn is not None:
                init_fn(worker_id)
            iterator = iter(dataset) if dataset_kind == "iterable" else None
        except Exception:
            init_error = ExceptionWrapper(sys.exc_info(), f"in DataLoader worker process {worker_id}")
        exhausted = False
        current_epoch = 0
        while True:
            try:
                task = index_queue.get(timeout=1.0)
            except queue.Empty:
                if os.getppid() != parent_pid:  # the main process died: nobody will ask again
                    return
                continue
            if task is None:
                return
            epoch, idx, indices = task
            if epoch != current_epoch:
                # A persistent worker starting a new epoch: an iterable dataset starts over.
                current_epoch = epoch
                if dataset_kind == "iterable" and init_error is None:
                    exhausted = False
                    try:
                        iterator = iter(dataset)
                    except Exception:
                        init_error = ExceptionWrapper(sys.exc_info(), f"in DataLoader worker process {worker_id}")
            if init_error is not None:
                result_queue.put((epoch, idx, init_error))
                init_error = None
                continue
            try:
                if dataset_kind == "iterable":
                    if exhausted:
                        data = IterableDatasetStop(worker_id)
                    else:
                        data = _next_iterable_batch(iterator, auto_collation, indices, drop_last)
                        if data is END:
                            exhausted = True
                            data = IterableDatasetStop(worker_id)
                        else:
                            data = collate_fn(data)
                else:
                    if auto_collation:
                        getitems = getattr(dataset, "__getitems__", None)
                        samples = getitems(indices) if getitems else [dataset[i] for i in indices]
                    else:
                        samples = dataset[indices]
                    data = collate_fn(samples)
            except Exception:
                data = ExceptionWrapper(sys.exc_info(), f"in DataLoader worker process {worker_id}")
            result_queue.put((epoch, idx, data))
            del data
    except KeyboardInterrupt:
        pass


END = object()  # marks an exhausted iterable (None is a legitimate sample)


def _next_iterable_batch(iterator, auto_collation, batch_size, drop_last):
    if not auto_collation:
        try:
            return next(iterator)
        except StopIteration:
            return END
    batch = []
    for _ in range(batch_size):
        try:
            batch.append(next(iterator))
        except StopIteration:
            break
    if not batch or (drop_last and len(batch) < batch_size):
        return END
    return batch
