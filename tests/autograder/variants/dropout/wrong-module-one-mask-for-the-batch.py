# answer: dropout_module
# expect: test_dropout_module
# One mask of a single example's shape, broadcast over the batch: every example drops the same
# features. Values and kept fraction are right.
class Dropout(nn.Module):
    def __init__(self, p=0.5):
        super().__init__()
        self.p = p

    def forward(self, x):
        if not self.training:
            return x
        mask = (torch.rand(x.shape[1:], dtype=x.dtype) >= self.p).to(x.dtype)
        return x * mask / (1 - self.p)
