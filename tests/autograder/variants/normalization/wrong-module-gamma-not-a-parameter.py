# answer: batchnorm_module
# expect: test_batchnorm_module
# gamma and beta as plain tensors: the optimizer would never see (or train) them.
class BatchNorm(nn.Module):
    def __init__(self, num_features):
        super().__init__()
        self.gamma = torch.ones(num_features)
        self.beta = torch.zeros(num_features)

    def forward(self, x):
        mean = x.mean(dim=(0, 2), keepdim=True)
        var = ((x - mean) ** 2).mean(dim=(0, 2), keepdim=True)
        return self.gamma.view(1, -1, 1) * (x - mean) / torch.sqrt(var + 1e-5) + self.beta.view(1, -1, 1)
