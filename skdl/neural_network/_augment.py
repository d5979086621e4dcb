"""Image augmentation (d2l 14.1): random crops with padding, flips, rotations and scaling.

Applied to each training batch on the device where the batch is, as tensor operations over the
whole batch (one affine grid for all the images of a batch, one gather for the crops), with
random numbers drawn from a device generator seeded from the estimator's ``random_state``.
"""

import math
from numbers import Integral, Real

import torch
from torch.nn import functional as F

_PARAMETERS = ("crop_padding", "horizontal_flip", "rotation", "scale")


class ImageAugmentation:
    """Random transformations of the training images, drawn afresh for every batch.

    Give an instance (or ``True`` for the defaults) as ``CNNClassifier(augment=...)``. Its
    parameters are nested estimator parameters, so ``GridSearchCV`` can tune
    ``augment__rotation`` and the like. Prediction never augments.

    Parameters
    ----------
    crop_padding : int or float, default=0.125
        Pad each side with this many zero pixels and crop a random window of the original size
        (a random shift of up to ``crop_padding`` pixels each way). A float is a fraction of the
        side (rounded; 0.125 is 1 pixel on 8x8 digits, 4 on 32x32 images). 0 turns it off.
    horizontal_flip : bool, default=False
        Mirror half of the images left to right. Off by default: it turns digits and letters
        into other symbols; turn it on for natural images.
    rotation : float, default=10.0
        Rotate by an angle drawn uniformly from ``[-rotation, rotation]`` degrees.
    scale : float, default=0.1
        Zoom by a factor drawn uniformly from ``[1 - scale, 1 + scale]``.

    See Also
    --------
    CNNClassifier : Takes this as its ``augment`` parameter.

    Notes
    -----
    Rotation and scaling are one affine map per image, in pixel coordinates (so a rotation of a
    non-square image stays a rotation), applied by bilinear resampling with zero fill; the crop
    is an integer shift with zero fill; the flip comes last.

    Examples
    --------
    >>> import torch
    >>> from skdl.neural_network import ImageAugmentation
    >>> augment = ImageAugmentation(crop_padding=1, rotation=0.0, scale=0.0)
    >>> images = torch.ones(4, 1, 8, 8)
    >>> augment(images, torch.Generator().manual_seed(0)).shape
    torch.Size([4, 1, 8, 8])
    """

    def __init__(self, *, crop_padding=0.125, horizontal_flip=False, rotation=10.0, scale=0.1):
        self.crop_padding = crop_padding
        self.horizontal_flip = horizontal_flip
        self.rotation = rotation
        self.scale = scale

    # A parameter object, not an estimator (it has nothing to fit): like scikit-learn's Gaussian
    # process kernels, it has get_params and set_params of its own, so that clone and
    # GridSearchCV see its parameters as nested ones (``augment__rotation``).
    def get_params(self, deep=True):
        """The parameters of this augmentation.

        Parameters
        ----------
        deep : bool, default=True
            Ignored: the parameters hold no nested objects.

        Returns
        -------
        params : dict
            Parameter names mapped to their values.
        """
        return {name: getattr(self, name) for name in _PARAMETERS}

    def set_params(self, **params):
        """Set the parameters of this augmentation.

        Parameters
        ----------
        **params : dict
            Parameter names and their new values.

        Returns
        -------
        self : ImageAugmentation
            This instance.
        """
        for name, value in params.items():
            if name not in _PARAMETERS:
                raise ValueError(f"Invalid parameter {name!r} for ImageAugmentation; valid: {list(_PARAMETERS)}.")
            setattr(self, name, value)
        return self

    def __repr__(self):
        return f"ImageAugmentation({', '.join(f'{name}={getattr(self, name)!r}' for name in _PARAMETERS)})"

    def __eq__(self, other):
        return type(other) is type(self) and self.get_params() == other.get_params()

    __hash__ = None

    def validate(self):
        """Raise a ValueError naming a parameter out of its range."""
        padding = self.crop_padding
        if isinstance(padding, bool) or not isinstance(padding, (Integral, Real)) or padding < 0:
            raise ValueError(f"crop_padding must be a non-negative number of pixels or fraction; got {padding!r}.")
        if not isinstance(self.horizontal_flip, bool):
            raise ValueError(f"horizontal_flip must be a bool; got {self.horizontal_flip!r}.")
        if not (isinstance(self.rotation, Real) and 0 <= self.rotation <= 180):
            raise ValueError(f"rotation must be an angle in degrees in [0, 180]; got {self.rotation!r}.")
        if not (isinstance(self.scale, Real) and 0 <= self.scale < 1):
            raise ValueError(f"scale must be in [0, 1); got {self.scale!r}.")

    def _padding(self, side):
        if isinstance(self.crop_padding, Integral):
            return int(self.crop_padding)
        return math.floor(self.crop_padding * side + 0.5)  # half rounds up

    def __call__(self, x, generator):
        """Augmented copies of the images ``x`` (n, channels, height, width), drawn from ``generator``."""
        _, _, height, wide = x.shape
        if self.rotation > 0 or self.scale > 0:
            x = random_affine(x, self.rotation, self.scale, generator)
        pad_h, pad_w = self._padding(height), self._padding(wide)
        if pad_h or pad_w:
            x = random_crop(x, pad_h, pad_w, generator)
        if self.horizontal_flip:
            x = random_horizontal_flip(x, generator)
        return x


def _uniform(n, low, high, generator, device):
    return low + (high - low) * torch.rand(n, generator=generator, device=device)


def random_affine(x, max_degrees, max_scale, generator):
    """Rotate each image by a random angle and zoom it by a random factor (bilinear, zero fill).

    In pixel coordinates the map is ``s R(a)``; in the normalised coordinates of
    :func:`torch.nn.functional.affine_grid` (each side from -1 to 1) it is ``D^-1 s R(a) D`` with
    ``D = diag(width, height) / 2``, which keeps right angles on non-square images.
    """
    n, _, height, wide = x.shape
    angle = torch.deg2rad(_uniform(n, -max_degrees, max_degrees, generator, x.device))
    # affine_grid maps output to input coordinates: zooming in by s samples the input at 1/s.
    inverse_scale = 1.0 / _uniform(n, 1.0 - max_scale, 1.0 + max_scale, generator, x.device)
    cos, sin = torch.cos(angle) * inverse_scale, torch.sin(angle) * inverse_scale
    aspect = height / wide
    zero = torch.zeros_like(cos)
    theta = torch.stack(
        [torch.stack([cos, -sin * aspect, zero], dim=1), torch.stack([sin / aspect, cos, zero], dim=1)], dim=1
    )
    grid = F.affine_grid(theta.to(x.dtype), list(x.shape), align_corners=False)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)


def random_crop(x, pad_h, pad_w, generator):
    """Pad each image with zeros and cut a window of its size at a random offset."""
    n, channels, height, wide = x.shape
    padded = F.pad(x, (pad_w, pad_w, pad_h, pad_h))
    top = torch.randint(0, 2 * pad_h + 1, (n,), generator=generator, device=x.device)
    left = torch.randint(0, 2 * pad_w + 1, (n,), generator=generator, device=x.device)
    rows = (top[:, None] + torch.arange(height, device=x.device))[:, None, :, None]
    cols = (left[:, None] + torch.arange(wide, device=x.device))[:, None, None, :]
    samples = torch.arange(n, device=x.device)[:, None, None, None]
    return padded[samples, torch.arange(channels, device=x.device)[None, :, None, None], rows, cols]


def random_horizontal_flip(x, generator):
    """Mirror each image left to right with probability 1/2."""
    flip = torch.rand(len(x), generator=generator, device=x.device) < 0.5
    return torch.where(flip[:, None, None, None], x.flip(3), x)

