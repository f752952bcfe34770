# answer: dropout_module
# expect: test_dropout_module
# right in every other way, but the mask is drawn in float64: a float32 input gives a float64 output,
# which breaks every float32 net after it (loses the dtype part only: see test_variants' partial points)
class Dropout(nn.Module):
    def __init__(self, p=0.5):
        super().__init__()
        self.p = p

    def forward(self, x):
        if not self.training:
            return x
        keep = 1.0 - self.p
        mask = (torch.rand(x.shape, dtype=torch.float64) < keep).double()
        return x * mask / keep
