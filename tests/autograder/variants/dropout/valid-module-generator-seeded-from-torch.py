# answer: dropout_module
# expect: none
# A generator of the module's own, seeded from torch's global generator when the module is built:
# every module draws its own independent stream, and torch.manual_seed still makes runs repeatable.
class Dropout(nn.Module):
    def __init__(self, p=0.5):
        super().__init__()
        self.p = p
        self.generator = torch.Generator().manual_seed(int(torch.randint(2**62, ())))

    def forward(self, x):
        if not self.training:
            return x
        u = torch.rand(x.shape, generator=self.generator, dtype=x.dtype)
        return torch.where(u < 1 - self.p, x / (1 - self.p), torch.zeros_like(x))
