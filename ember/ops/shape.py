"""Shape ops. Each family lives in its own file; this module gathers them under the one name
the rest of ember (and Tensor method binding) imports from.

- shape_views.py: views (view/reshape, squeeze, permute/transpose, expand, narrow/select, diagonal)
- shape_join.py: joining and splitting (cat/stack/..., split/chunk/tensor_split/...)
- shape_copies.py: copies that reorder or repeat (flip, roll, repeat/tile, repeat_interleave, clone)
"""
from . import shape_views, shape_join, shape_copies
from .shape_views import *  # noqa: F401,F403
from .shape_join import *  # noqa: F401,F403
from .shape_copies import *  # noqa: F401,F403
# Op classes (their names are grad_fn names) and the helpers other modules import from here.
from .shape_views import (  # noqa: F401
    T, Diagonal, Expand, Permute, Reshape, Slice, Squeeze, SumToSize, Transpose, Unsqueeze, View, infer_shape,
    sum_to_shape_array,
)
from .shape_join import Cat
from .shape_copies import Flip, Roll, Tile, RepeatInterleave, Clone

__all__ = [*shape_views.__all__, *shape_join.__all__, *shape_copies.__all__]
NOT_FUNCTIONS = {"view", "view_as", "reshape_as", "expand", "expand_as", "sum_to_size", "repeat",
                 "contiguous"}
