"""Named-tuple result types (``ember.return_types.max`` ...), printed like PyTorch's.

Each type is a tuple subclass: it unpacks (``values, indices = x.max(1)``), indexes and
compares like a tuple, and names its fields (``.values``, ``.indices``).
"""


def _make(name, fields):
    def __new__(cls, values):
        values = tuple(values)
        if len(values) != len(fields):
            raise TypeError(f"torch.return_types.{name} takes a {len(fields)}-sequence "
                            f"({len(values)}-sequence given)")
        return tuple.__new__(cls, values)

    def __repr__(self):
        body = ",\n".join(f"{f}={v!r}" for f, v in zip(fields, self))
        return f"torch.return_types.{name}(\n{body})"

    def __reduce__(self):
        return (type(self), (tuple(self),))

    attrs = {"__new__": __new__, "__repr__": __repr__, "__str__": __repr__, "__reduce__": __reduce__,
             "__slots__": (), "__module__": __name__, "n_fields": len(fields),
             "n_sequence_fields": len(fields), "n_unnamed_fields": 0}
    for i, f in enumerate(fields):
        attrs[f] = property(lambda self, i=i: tuple.__getitem__(self, i))
    return type(name, (tuple,), attrs)


_TYPES = {
    "max": ("values", "indices"), "min": ("values", "indices"), "sort": ("values", "indices"),
    "topk": ("values", "indices"), "kthvalue": ("values", "indices"), "median": ("values", "indices"),
    "nanmedian": ("values", "indices"), "mode": ("values", "indices"), "cummax": ("values", "indices"),
    "cummin": ("values", "indices"), "aminmax": ("min", "max"),
    "histogram": ("hist", "bin_edges"), "histogramdd": ("hist", "bin_edges"),
    "frexp": ("mantissa", "exponent"), "slogdet": ("sign", "logabsdet"),
    "linalg_slogdet": ("sign", "logabsdet"), "svd": ("U", "S", "V"), "linalg_svd": ("U", "S", "Vh"),
    "qr": ("Q", "R"), "linalg_qr": ("Q", "R"), "linalg_eig": ("eigenvalues", "eigenvectors"),
    "linalg_eigh": ("eigenvalues", "eigenvectors"), "linalg_inv_ex": ("inverse", "info"),
    "linalg_cholesky_ex": ("L", "info"), "linalg_lstsq": ("solution", "residuals", "rank", "singular_values"),
    "linalg_lu": ("P", "L", "U"), "linalg_lu_factor": ("LU", "pivots"),
    "linalg_lu_factor_ex": ("LU", "pivots", "info"), "linalg_solve_ex": ("result", "info"),
    "lu_unpack": ("P", "L", "U"), "triangular_solve": ("solution", "cloned_coefficient"),
    "geqrf": ("a", "tau"),
}

for _name, _fields in _TYPES.items():
    globals()[_name] = _make(_name, _fields)

all_return_types = [globals()[n] for n in _TYPES]
__all__ = list(_TYPES) + ["all_return_types"]
