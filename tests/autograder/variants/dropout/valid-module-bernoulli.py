# answer: dropout_module
# expect: none
# torch.bernoulli draws the keep mask directly; masked scaling by multiplication with its float.
class Dropout(nn.Module):
    def __init__(self, p=0.5):
        super().__init__()
        self.p = p

    def forward(self, x):
        if not self.training:
            return x
        keep = torch.bernoulli(torch.full_like(x, 1 - self.p))
        return keep * x * (1.0 / (1 - self.p))
