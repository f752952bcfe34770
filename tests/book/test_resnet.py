"""The ResNet chapter's own code beside its page: the study nets (parameter counts against the
paper; book/resnet/study.py) and the data-path benchmark (book/resnet/bench_resnet.py)."""
import pytest
import torch

from autograder.chapters.resnet.probes import conv_trace
from dlcourse.resnet_checks import count_parameters
from study import StudyNet

# He et al. 2015, Table 6: depth -> parameters in millions (two decimals as printed)
PAPER = {20: 0.27, 32: 0.46, 44: 0.66, 56: 0.85, 110: 1.7}


@pytest.mark.parametrize("depth", sorted(PAPER))
def test_study_net_has_the_papers_parameter_counts(depth):
    net = StudyNet((depth - 2) // 6, residual=True, batch_norm=True, width=16)
    assert net.depth() == depth
    assert round(count_parameters(net) / 1e6, 2 if depth < 100 else 1) == PAPER[depth]


def test_study_net_exact_counts_and_plain_twin():
    counts = [count_parameters(StudyNet(n)) for n in (3, 5, 7, 9, 18)]
    assert counts == [269722, 464154, 658586, 853018, 1727962]  # the widely reproduced option-A counts
    assert count_parameters(StudyNet(3, residual=False)) == counts[0]  # option A adds nothing
    trace = conv_trace(StudyNet(1).eval(), torch.zeros(1, 3, 32, 32))
    assert trace["stride"].tolist() == [1, 1, 1, 2, 1, 2, 1] and trace["size"].tolist() == [32, 32, 32, 16, 16, 8, 8]


def test_benchmark_script_prints_a_table(capsys):
    from bench_resnet import main
    rows = main(["--n", "1", "--batch-size", "16", "--batches", "1", "--workers", "0", "--device", "cpu", "--threads", "1"])
    assert len(rows) == 2 and all(r[1] > 0 and r[2] > 0 for r in rows)
    out = capsys.readouterr().out
    assert "| data path | data only (images/s) | training step (images/s) |" in out and "machine:" in out
