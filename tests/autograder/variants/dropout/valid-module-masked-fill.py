# answer: dropout_module
# expect: none
# masked_fill (out of place) zeroes the dropped elements, then one division.
class Dropout(nn.Module):
    def __init__(self, p=0.5):
        super().__init__()
        self.p = p

    def forward(self, x):
        if not self.training or self.p == 0:
            return x
        drop = torch.rand(x.shape, device=x.device) < self.p
        return x.masked_fill(drop, 0.0) / (1 - self.p)
