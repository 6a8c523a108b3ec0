"""Conv weight memory-format conversion.

PyTorch re-lays conv weights out as channels_last so that cuDNN/oneDNN pick faster
kernels. ember's tensors are NumPy/CuPy arrays in row-major (contiguous) order and its
convolutions choose their own layout internally, so a layout change would only cost a
copy: these functions keep the values, refresh the weight's array with a contiguous
copy (as PyTorch's clone does), and otherwise leave the module unchanged.
"""
__all__ = ["convert_conv2d_weight_memory_format", "convert_conv3d_weight_memory_format"]


def _convert(module, classes, memory_format):
    if isinstance(module, classes):
        module.weight.data = module.weight.detach().clone()
    for child in module.children():
        _convert(child, classes, memory_format)
    return module


def convert_conv2d_weight_memory_format(module, memory_format):
    """Convert the weights of every Conv2d/ConvTranspose2d in ``module`` to ``memory_format`` (see module doc)."""
    from ..modules.conv import Conv2d, ConvTranspose2d
    return _convert(module, (Conv2d, ConvTranspose2d), memory_format)


def convert_conv3d_weight_memory_format(module, memory_format):
    """Convert the weights of every Conv3d/ConvTranspose3d in ``module`` to ``memory_format`` (see module doc)."""
    from ..modules.conv import Conv3d, ConvTranspose3d
    return _convert(module, (Conv3d, ConvTranspose3d), memory_format)
