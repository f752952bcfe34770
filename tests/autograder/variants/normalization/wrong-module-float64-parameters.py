# answer: batchnorm_module
# expect: test_batchnorm_module
# right in float64, but gamma and beta are created as float64: a float32 module on a float32 input
# returns float64, which breaks every float32 net after it (loses the "type" part only)
class BatchNorm(nn.Module):
    def __init__(self, num_features):
        super().__init__()
        self.num_features = num_features
        self.eps = 1e-5
        self.gamma = nn.Parameter(torch.ones(num_features, dtype=torch.float64))
        self.beta = nn.Parameter(torch.zeros(num_features, dtype=torch.float64))

    def forward(self, x):
        mean = x.mean(dim=(0, 2), keepdim=True)
        var = ((x - mean) ** 2).mean(dim=(0, 2), keepdim=True)
        xhat = (x - mean) / torch.sqrt(var + self.eps)
        return self.gamma.view(1, -1, 1) * xhat + self.beta.view(1, -1, 1)
