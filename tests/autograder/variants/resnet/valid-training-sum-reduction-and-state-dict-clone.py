# answer: training
# expect: none
# reduction='sum', inference_mode, len(dataset), the scheduler before validation, a dict of clones

def run_epoch(model, optimizer, dataloader, train):
    device = next(model.parameters()).device
    if train:
        model.train()
    else:
        model.eval()
    loss_sum, hits, seen = 0.0, 0, 0
    context = torch.enable_grad() if train else torch.inference_mode()
    with context:
        for inputs, targets in dataloader:
            inputs, targets = inputs.to(device), targets.to(device)
            scores = model(inputs)
            batch_loss = F.cross_entropy(scores, targets, reduction="sum")
            if train:
                optimizer.zero_grad(set_to_none=True)
                (batch_loss / len(targets)).backward()
                optimizer.step()
            loss_sum += batch_loss.item()
            hits += int((scores.argmax(dim=1) == targets).sum())
            seen += targets.shape[0]
    return loss_sum / len(dataloader.dataset), hits / seen


def fit(model, optimizer, lr_scheduler, dataloaders, max_epochs, patience):
    history = {"train_loss": [], "train_acc": [], "val_loss": [], "val_acc": []}
    best, best_weights, bad_epochs = None, None, 0
    for epoch in range(1, max_epochs + 1):
        tl, ta = run_epoch(model, optimizer, dataloaders["train"], train=True)
        if lr_scheduler:
            lr_scheduler.step()
        vl, va = run_epoch(model, optimizer, dataloaders["val"], train=False)
        history["train_loss"].append(tl); history["train_acc"].append(ta)
        history["val_loss"].append(vl); history["val_acc"].append(va)
        if best is None or va > best:
            best = va
            best_weights = {k: v.detach().clone() for k, v in model.state_dict().items()}
            bad_epochs = 0
        else:
            bad_epochs += 1
        if bad_epochs == patience:
            break
    model.load_state_dict(best_weights)
    return history
