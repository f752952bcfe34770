# answer: adam
# expect: test_adam test_adamw
# Right numbers, wrong exercise: the update is torch.optim.Adam's, not the student's numpy code.
# The forbidden-shortcut check (metadata.dlcourse.forbid on the test cell) takes the points, of the
# later test_adamw too: a forbidden use counts in every cell the student wrote before a test.
import torch


def adam(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-3)
    config.setdefault("beta1", 0.9)
    config.setdefault("beta2", 0.999)
    config.setdefault("epsilon", 1e-8)
    config.setdefault("m", np.zeros_like(w))
    config.setdefault("v", np.zeros_like(w))
    config.setdefault("t", 0)
    p = torch.tensor(np.asarray(w, dtype=np.float64), requires_grad=True)
    opt = torch.optim.Adam([p], lr=config["learning_rate"], betas=(config["beta1"], config["beta2"]),
                           eps=config["epsilon"])
    opt.state[p] = {"step": torch.tensor(float(config["t"]), dtype=torch.float64),
                    "exp_avg": torch.tensor(np.asarray(config["m"], dtype=np.float64)),
                    "exp_avg_sq": torch.tensor(np.asarray(config["v"], dtype=np.float64))}
    p.grad = torch.tensor(np.asarray(dw, dtype=np.float64))
    opt.step()
    state = opt.state[p]
    config.update(m=state["exp_avg"].numpy(), v=state["exp_avg_sq"].numpy(), t=int(state["step"]))
    return p.detach().numpy(), config
