# answer: dropout_module
# expect: none
# Keep where a uniform draw is at least p (probability 1 - p), with a boolean mask.
class Dropout(nn.Module):
    def __init__(self, p=0.5):
        super().__init__()
        self.p = p

    def forward(self, x):
        if self.training:
            return x * (torch.rand_like(x) >= self.p) / (1 - self.p)
        return x
