# answer: dropout_module
# expect: test_dropout_module
# self.training is never looked at: the module drops units after model.eval() too.
class Dropout(nn.Module):
    def __init__(self, p=0.5):
        super().__init__()
        self.p = p

    def forward(self, x):
        mask = (torch.rand_like(x) >= self.p).to(x.dtype)
        return x * mask / (1 - self.p)
