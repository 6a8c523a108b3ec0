"""ember.nn: modules, layers, losses, functional, init."""
from .modules import *  # noqa: F401,F403
from .parameter import *  # noqa: F401,F403
from . import functional, init, utils  # noqa: F401
