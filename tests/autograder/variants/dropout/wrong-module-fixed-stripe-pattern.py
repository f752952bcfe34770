# answer: dropout_module
# expect: test_dropout_module
# No randomness at all: element i of the flattened input is kept when floor((i + 1) keep) >
# floor(i keep), a fixed pattern whose kept fraction is exactly the keep probability.
class Dropout(nn.Module):
    def __init__(self, p=0.5):
        super().__init__()
        self.p = p

    def forward(self, x):
        if not self.training:
            return x
        keep = 1.0 - self.p
        i = torch.arange(x.numel(), dtype=torch.float64)
        mask = (torch.floor((i + 1) * keep) > torch.floor(i * keep)).reshape(x.shape).to(x.dtype)
        return x * mask / keep
