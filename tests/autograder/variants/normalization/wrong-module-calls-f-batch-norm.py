# answer: batchnorm_module
# expect: test_batchnorm_module
# Right numbers, wrong exercise: PyTorch's own batch norm does the work. The forbidden-shortcut
# check (metadata.dlcourse.forbid on the test cell) takes the points.
import torch.nn.functional as F


class BatchNorm(nn.Module):
    def __init__(self, num_features):
        super().__init__()
        self.gamma = nn.Parameter(torch.ones(num_features))
        self.beta = nn.Parameter(torch.zeros(num_features))

    def forward(self, x):
        return F.batch_norm(x, None, None, self.gamma, self.beta, training=True, eps=1e-5)
