# answer: batchnorm_module
# expect: test_batchnorm_module
# an exact forward pass and gradients, but gamma starts random (torch.rand) instead of ones: partial
# points, the visible check (which looks at the initial gamma too) and the "init" part are lost, the
# "forward" and "type" parts keep theirs
class BatchNorm(nn.Module):
    def __init__(self, num_features):
        super().__init__()
        self.num_features = num_features
        self.eps = 1e-5
        self.gamma = nn.Parameter(torch.rand(num_features))
        self.beta = nn.Parameter(torch.zeros(num_features))

    def forward(self, x):
        mean = x.mean(dim=(0, 2), keepdim=True)
        var = ((x - mean) ** 2).mean(dim=(0, 2), keepdim=True)
        xhat = (x - mean) / torch.sqrt(var + self.eps)
        return self.gamma.view(1, -1, 1) * xhat + self.beta.view(1, -1, 1)
