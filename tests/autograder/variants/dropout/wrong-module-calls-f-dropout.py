# answer: dropout_module
# expect: test_dropout_module
# Right numbers, wrong exercise: PyTorch's own dropout does the work. The forbidden-shortcut
# check (metadata.dlcourse.forbid on the test cell) takes the points.
import torch.nn.functional as F


class Dropout(nn.Module):
    def __init__(self, p=0.5):
        super().__init__()
        self.p = p

    def forward(self, x):
        return F.dropout(x, self.p, self.training)
