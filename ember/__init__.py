"""ember: PyTorch's programming model on NumPy (CPU) and CuPy (CUDA).

``import ember as torch`` and a PyTorch program runs unchanged.
"""
__version__ = "0.1.0"

from . import _allocator, _blas_spin

_allocator.tune()
_blas_spin.tune()   # before NumPy loads OpenBLAS, where it can

from . import _dtype
from ._dtype import (bfloat16, bool, cdouble, cfloat, complex64, complex128, double, dtype, float,
                     float16, float32, float64, get_default_dtype, half, int, int8, int16, int32, int64,
                     long, set_default_dtype, short, uint8, uint16, uint32, uint64)
from ._device import device
from ._size import Size
from ._tensor import Tensor
from . import _tensor_methods  # noqa: F401  (attaches operators and methods to Tensor)
from .autograd.grad_mode import (enable_grad, inference_mode, is_grad_enabled, is_inference_mode_enabled,
                                 no_grad, set_grad_enabled)
from .ops.creation import *  # noqa: F401,F403
from .ops.pointwise import *  # noqa: F401,F403
from .ops.reduction import *  # noqa: F401,F403
from .ops.shape import *  # noqa: F401,F403
from .ops.indexing import *  # noqa: F401,F403
from .ops.linalg import *  # noqa: F401,F403
from .ops.sorting import *  # noqa: F401,F403
from . import return_types  # noqa: F401
from . import linalg  # noqa: F401  (torch.linalg namespace)
from .ops.random_ops import *  # noqa: F401,F403
from .random import (Generator, default_generator, get_rng_state, initial_seed, manual_seed, seed,  # noqa: E402
                     set_rng_state)
from . import random  # noqa: E402,F401
from .ops.creation import range_ as range  # noqa: F401
from . import autograd  # noqa: E402
from ._formatting import get_printoptions, set_printoptions  # noqa: E402
from ._api_extras import *  # noqa: F401,F403,E402

# Python's builtins that the star-imports above shadow inside this module stay reachable as
# ember.<name> only where PyTorch has the same name (abs, round, pow, ...): that is intended.
from .serialization import load, save  # noqa: E402,F401
from .ops.distance import cdist, cosine_similarity, pairwise_distance, pdist  # noqa: E402,F401
from .ops.weight_norm import _weight_norm, norm_except_dim  # noqa: E402,F401
from .ops.misc_math import *  # noqa: F401,F403,E402
from .ops.misc_views import *  # noqa: F401,F403,E402
from .ops.special_math import *  # noqa: F401,F403,E402
from .ops.linalg_ops import *  # noqa: F401,F403,E402
from .ops.linalg_lu import *  # noqa: F401,F403,E402
from .ops.spectral import *  # noqa: F401,F403,E402
from .ops.stft import *  # noqa: F401,F403,E402
from . import special  # noqa: E402,F401
from . import fft  # noqa: E402,F401  (torch.fft namespace)
from ._functional_aliases import *  # noqa: F401,F403,E402
from . import nn, optim, utils  # noqa: E402,F401
