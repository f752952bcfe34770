# answer: batchnorm_module
# expect: none
# torch.var_mean with correction=0 and an einsum for the scale.
class BatchNorm(nn.Module):
    def __init__(self, num_features):
        super().__init__()
        self.gamma = nn.Parameter(torch.ones(num_features))
        self.beta = nn.Parameter(torch.zeros(num_features))

    def forward(self, x):
        var, mean = torch.var_mean(x, dim=(0, 2), correction=0, keepdim=True)
        xhat = (x - mean) / (var + 1e-5).sqrt()
        return torch.einsum("ncl,c->ncl", xhat, self.gamma) + self.beta.unsqueeze(-1)
