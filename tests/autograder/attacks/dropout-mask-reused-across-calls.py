# chapter: dropout
# A Dropout module that draws its mask once, on its first call, and reuses it on every later call
# of the same shape (a common bug: the mask kept as state instead of drawn per forward pass).
# Every single output is a correct-looking mask (right values, right kept fraction), so a check
# of each output's statistics alone passes it. Before: 8/8 (the module test 3/3); its base (the
# module left as released) 5/8.
import classroom

ANSWER = '''
class Dropout(nn.Module):
    def __init__(self, p=0.5):
        super().__init__()
        self.p = p
        self.mask = None

    def forward(self, x):
        if not self.training:
            return x
        keep = 1.0 - self.p
        if self.mask is None or self.mask.shape != x.shape:
            self.mask = (torch.rand_like(x) < keep).to(x.dtype)
        return x * self.mask / keep
'''


def submit(folder, released, source):
    classroom.write_answers(folder, released, source, "dropout", replace={"dropout_module": ANSWER})


def base(folder, released, source):
    classroom.write_answers(folder, released, source, "dropout",
                            replace={"dropout_module": classroom.released_answer(released, "dropout_module")})
