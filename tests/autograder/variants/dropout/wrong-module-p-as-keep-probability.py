# answer: dropout_module
# expect: test_dropout_module
# cs231n's convention in the PyTorch part: p read as the probability of keeping an element.
class Dropout(nn.Module):
    def __init__(self, p=0.5):
        super().__init__()
        self.p = p

    def forward(self, x):
        if not self.training:
            return x
        mask = (torch.rand_like(x) < self.p).to(x.dtype)
        return x * mask / self.p
