# answer: batchnorm_module
# expect: none
# Moves the channels last and flattens to (N * L, C), normalizes with torch.var(unbiased=False)
# and rsqrt, and moves them back.
class BatchNorm(nn.Module):
    def __init__(self, num_features):
        super().__init__()
        self.num_features = num_features
        self.register_parameter("gamma", nn.Parameter(torch.ones(num_features)))
        self.register_parameter("beta", nn.Parameter(torch.zeros(num_features)))

    def forward(self, x):
        N, C, L = x.shape
        flat = x.permute(0, 2, 1).reshape(-1, C)
        mean = flat.mean(dim=0)
        var = flat.var(dim=0, unbiased=False)
        out = (flat - mean) * torch.rsqrt(var + 1e-5) * self.gamma + self.beta
        return out.reshape(N, L, C).permute(0, 2, 1)
