"""Fine-tuning (d2l 14.2): start from trained weights, replace the output layer, freeze or not.

The book's recipe: copy every layer of a network trained on a source task except its output
layer, give the new task a freshly initialised output layer, and either train the copied layers
with a learning rate ten times smaller than the new layer's or keep them fixed.
"""

import numpy as np

from ._architectures import output_layer


def load_starting_weights(module, source, keep_output):
    """Copy ``source``'s parameters and buffers into ``module``, the output layer's only if ``keep_output``.

    ``module`` is freshly initialised; what is not copied keeps that initialisation. Every other
    entry of ``module`` must be in ``source`` with the same shape (the same architecture built
    for the same image shape), else a ValueError says which is missing or differs.
    """
    prefix = output_layer(module)[0] + "."
    own, given = module.state_dict(), source.state_dict()
    copied = {}
    for name, tensor in own.items():
        if not keep_output and name.startswith(prefix):
            continue
        if name not in given:
            raise ValueError(
                f"warm_start's network has no {name!r}: it is not the architecture being fitted "
                f"({type(source).__name__} given, {type(module).__name__} built)."
            )
        if given[name].shape != tensor.shape:
            raise ValueError(
                f"warm_start's {name!r} has shape {tuple(given[name].shape)}, the network being fitted "
                f"needs {tuple(tensor.shape)}: it was built for other images or another width."
            )
        copied[name] = given[name].detach().to("cpu", copy=True)
    module.load_state_dict(copied, strict=False)
    return module


def same_classes(source_classes, classes):
    """Whether a source fitted on ``source_classes`` can keep its output layer for ``classes``."""
    return source_classes is not None and np.array_equal(np.asarray(source_classes), np.asarray(classes))


def freeze_backbone(module):
    """Stop gradients to every parameter outside the output layer; return the frozen submodules.

    The frozen submodules are to be kept in evaluation mode during training, so that their
    batch-normalisation statistics and dropout stay those of the source network.
    """
    name, output = output_layer(module)
    trainable = {id(parameter) for parameter in output.parameters()}
    for parameter in module.parameters():
        parameter.requires_grad_(id(parameter) in trainable)

    def outside_output(other):  # neither the output layer, nor in it, nor a module holding it
        return not (other == name or other.startswith(name + ".") or name.startswith(other + ".") or other == "")

    return [layer for other, layer in module.named_modules() if outside_output(other)]


def output_param_group(module, lr, multiplier):
    """skorch's ``optimizer__param_groups`` giving the output layer ``multiplier`` times ``lr``."""
    name, _ = output_layer(module)
    return [(f"{name}.*", {"lr": lr * multiplier})]
