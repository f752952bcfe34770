# answer: batchnorm_module
# expect: test_batchnorm_module
# Statistics over dim 0 only (one mean per channel *and* position), as BatchNorm1d on (N, C) input.
class BatchNorm(nn.Module):
    def __init__(self, num_features):
        super().__init__()
        self.gamma = nn.Parameter(torch.ones(num_features))
        self.beta = nn.Parameter(torch.zeros(num_features))

    def forward(self, x):
        mean = x.mean(dim=0, keepdim=True)
        var = ((x - mean) ** 2).mean(dim=0, keepdim=True)
        return self.gamma[None, :, None] * (x - mean) / torch.sqrt(var + 1e-5) + self.beta[None, :, None]
