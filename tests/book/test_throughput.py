"""The PyTorch chapter's throughput measurement beside its page (book/pytorch/throughput.py): the
function the page calls and its command line."""
import pytest
import torch

import throughput


def test_images_per_second_times_each_batch_size():
    rates = throughput.images_per_second(throughput.demo_convnet, batch_sizes=(4, 8), steps=1, device=torch.device("cpu"))
    assert set(rates) == {4, 8} and all(r > 0 for r in rates.values())


def test_benchmark_cli_measures_and_rejects_bad_arguments(capsys):
    throughput.main(["4"])
    out = capsys.readouterr().out
    assert "batch     4:" in out and "images/s" in out
    for bad in (["x"], ["0"]):
        with pytest.raises(SystemExit) as exit_:
            throughput.main(bad)
        assert exit_.value.code == 2
    assert "usage: python book/pytorch/throughput.py" in capsys.readouterr().err
