"""The CNNs of Dive into Deep Learning: sized from the image, following their chapters."""

import pytest

torch = pytest.importorskip("torch", reason="the CNN architectures need torch")
pytest.importorskip("skorch", reason="CNNClassifier needs skorch")

from torch import nn  # noqa: E402

from skdl.neural_network import CNNClassifier  # noqa: E402
from skdl.neural_network._architectures import (  # noqa: E402
    ARCHITECTURES,
    BOOK_STEM_MIN_SIDE,
    build_cnn,
    output_layer,
)

NAMES = sorted(ARCHITECTURES)


@pytest.mark.parametrize("architecture", NAMES)
@pytest.mark.parametrize("input_shape", [(1, 8, 8), (1, 28, 28), (3, 32, 32), (3, 96, 96), (1, 1, 5), (2, 3, 1)])
def test_every_architecture_is_sized_from_the_image(architecture, input_shape):
    module = build_cnn(architecture, input_shape, 7, width=4, hidden_size=8).eval()
    with torch.no_grad():
        assert module(torch.zeros(2, *input_shape)).shape == (2, 7)


@pytest.mark.parametrize("architecture", NAMES)
def test_the_docstring_names_each_architecture_and_its_section(architecture):
    section = ARCHITECTURES[architecture][1]
    line = next(line for line in CNNClassifier.__doc__.splitlines() if f'``"{architecture}"``' in line)
    assert f"(d2l {section})" in line


def _count(module, kind):
    return sum(isinstance(layer, kind) for layer in module.modules())


def test_each_network_has_the_blocks_of_its_chapter():
    shape = (3, 96, 96)
    lenet = build_cnn("lenet", shape, 10)
    assert _count(lenet, nn.Conv2d) == 2 and _count(lenet, nn.Linear) == 3 and _count(lenet, nn.BatchNorm2d) == 0
    lenet_bn = build_cnn("lenet_bn", shape, 10)
    assert _count(lenet_bn, nn.BatchNorm2d) == 2 and _count(lenet_bn, nn.BatchNorm1d) == 2
    assert _count(build_cnn("alexnet", shape, 10), nn.Conv2d) == 5
    assert _count(build_cnn("vgg", shape, 10), nn.Conv2d) == 8  # VGG-11: 8 convolutions, 3 dense layers
    nin = build_cnn("nin", shape, 10)
    assert _count(nin, nn.Linear) == 0 and _count(nin, nn.AdaptiveAvgPool2d) == 1
    googlenet = build_cnn("googlenet", shape, 10)
    assert sum(type(layer).__name__ == "_Inception" for layer in googlenet.modules()) == 9
    resnet = build_cnn("resnet", shape, 10)
    assert sum(type(layer).__name__ == "_Residual" for layer in resnet.modules()) == 8  # ResNet-18
    assert _count(resnet, nn.Conv2d) == 1 + 16 + 3  # stem, 8 blocks of 2, 3 strided shortcuts
    densenet = build_cnn("densenet", shape, 10)
    assert sum(type(layer).__name__ == "_DenseBlock" for layer in densenet.modules()) == 4


@pytest.mark.parametrize("architecture", ["lenet", "alexnet", "vgg", "nin", "googlenet", "resnet", "densenet"])
def test_width_equal_to_the_books_gives_the_books_channels(architecture):
    _, _, book_width, _ = ARCHITECTURES[architecture]
    module = build_cnn(architecture, (1, 96, 96), 10, width=book_width, hidden_size=16)
    first = next(layer for layer in module.modules() if isinstance(layer, nn.Conv2d))
    assert first.out_channels == book_width
    widest = max(layer.out_channels for layer in module.modules() if isinstance(layer, nn.Conv2d))
    expected = {"lenet": 16, "alexnet": 384, "vgg": 512, "nin": 384, "googlenet": 384, "resnet": 512}
    if architecture in expected:
        assert widest == expected[architecture]


@pytest.mark.parametrize("architecture", ["alexnet", "googlenet", "resnet", "densenet"])
def test_the_books_downsampling_stem_only_on_large_images(architecture):
    def first_conv(shape):
        module = build_cnn(architecture, shape, 10)
        return next(layer for layer in module.modules() if isinstance(layer, nn.Conv2d))

    large = first_conv((3, BOOK_STEM_MIN_SIDE, BOOK_STEM_MIN_SIDE))
    small = first_conv((3, BOOK_STEM_MIN_SIDE - 1, BOOK_STEM_MIN_SIDE))
    assert large.stride[0] >= 2 and large.kernel_size[0] >= 7
    assert small.stride == (1, 1) and small.kernel_size == (3, 3)


@pytest.mark.parametrize("architecture", NAMES)
def test_the_output_layer_is_the_last_and_has_one_unit_per_class(architecture):
    module = build_cnn(architecture, (1, 8, 8), 5)
    name, layer = output_layer(module)
    assert name == "output"
    last = [sub for sub in layer.modules() if isinstance(sub, (nn.Linear, nn.Conv2d))][-1]
    assert (last.out_features if isinstance(last, nn.Linear) else last.out_channels) == 5


def test_output_layer_of_a_module_of_ones_own_is_its_last_weighted_layer():
    module = nn.Sequential(nn.Flatten(), nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2), nn.Softmax(dim=1))
    assert output_layer(module)[0] == "3"
    with pytest.raises(ValueError, match="no layer with parameters"):
        output_layer(nn.ReLU())


def test_initialisation_is_the_books_xavier_uniform():
    torch.manual_seed(0)
    layer = build_cnn("lenet", (1, 8, 8), 10).features[0]
    fan_in, fan_out = 1 * 25, 6 * 25
    bound = (6 / (fan_in + fan_out)) ** 0.5
    assert layer.weight.abs().max() <= bound and layer.weight.abs().max() > 0.8 * bound
