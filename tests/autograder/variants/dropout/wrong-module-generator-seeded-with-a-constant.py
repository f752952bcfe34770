# answer: dropout_module
# expect: test_dropout_module
# A generator of the module's own, seeded with a constant: successive calls differ, but every
# Dropout layer (and every run) draws the same sequence of masks, whatever torch.manual_seed says.
class Dropout(nn.Module):
    def __init__(self, p=0.5):
        super().__init__()
        self.p = p
        self.generator = torch.Generator().manual_seed(0)

    def forward(self, x):
        if not self.training:
            return x
        u = torch.rand(x.shape, generator=self.generator, dtype=x.dtype)
        return x * (u >= self.p).to(x.dtype) / (1 - self.p)
