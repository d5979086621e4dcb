"""One torch thread per test: the suite runs on shared cores, where torch's default (a thread
per core) makes even the forward pass of a tiny network wait on the other processes."""

import pytest


@pytest.fixture(autouse=True)
def one_torch_thread():
    try:
        import torch
    except ImportError:
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
