# answer: batchnorm_module
# expect: test_batchnorm_module
# Delegates to nn.BatchNorm1d and exposes its weight and bias as gamma and beta.
class BatchNorm(nn.Module):
    def __init__(self, num_features):
        super().__init__()
        self.bn = nn.BatchNorm1d(num_features, track_running_stats=False)
        self.gamma, self.beta = self.bn.weight, self.bn.bias

    def forward(self, x):
        return self.bn(x)
