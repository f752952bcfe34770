# answer: batchnorm_module
# expect: test_batchnorm_module
# torch.var's default is the unbiased variance (divides by N * L - 1).
class BatchNorm(nn.Module):
    def __init__(self, num_features):
        super().__init__()
        self.gamma = nn.Parameter(torch.ones(num_features))
        self.beta = nn.Parameter(torch.zeros(num_features))
        self.eps = 1e-5

    def forward(self, x):
        mean = x.mean(dim=(0, 2), keepdim=True)
        var = x.var(dim=(0, 2), keepdim=True)
        return self.gamma[None, :, None] * (x - mean) / torch.sqrt(var + self.eps) + self.beta[None, :, None]
