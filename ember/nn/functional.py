"""ember.nn.functional: the functions behind every layer and loss.

Thin by design: each function lives with its op family in ``ember/ops`` and is
re-exported here.
"""
from ..ops.activation import *  # noqa: F401,F403
from ..ops.linear import *  # noqa: F401,F403
from ..ops.distance import *  # noqa: F401,F403
from ..ops.conv import *  # noqa: F401,F403
from ..ops.pool import *  # noqa: F401,F403
from ..ops.sampling import *  # noqa: F401,F403
from ..ops.normalization import *  # noqa: F401,F403
from ..ops.dropout import *  # noqa: F401,F403
from ..ops.embedding import *  # noqa: F401,F403
from ..ops.loss import *  # noqa: F401,F403
from ..ops.attention import *  # noqa: F401,F403
from ..ops.rrelu import *  # noqa: F401,F403,E402
from ..ops.gumbel_softmax import *  # noqa: F401,F403,E402
from ..ops.fractional_pool import *  # noqa: F401,F403,E402
