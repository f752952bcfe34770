# answer: dropout_module
# expect: test_dropout_module
# The mask is drawn on the first call and kept on the module: every later call of that shape drops
# the same elements (a fixed thinned network instead of an ensemble). Each output alone looks right.
class Dropout(nn.Module):
    def __init__(self, p=0.5):
        super().__init__()
        self.p = p
        self.mask = None

    def forward(self, x):
        if not self.training:
            return x
        if self.mask is None or self.mask.shape != x.shape:
            self.mask = (torch.rand_like(x) >= self.p).to(x.dtype)
        return x * self.mask / (1 - self.p)
