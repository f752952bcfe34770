# answer: training
# expect: test_fit
# best weights kept by reference: state_dict() tensors change as training goes on
import copy


def run_epoch(model, optimizer, dataloader, train):
    """One epoch. Returns a tuple of: mean loss per example, accuracy (a fraction)."""
    device = next(model.parameters()).device
    model.train(train)
    total_loss, correct, count = 0.0, 0, 0
    with torch.set_grad_enabled(train):
        for x, y in dataloader:
            x, y = x.to(device), y.to(device)
            logits = model(x)
            loss = F.cross_entropy(logits, y)
            if train:
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
            total_loss += loss.item() * len(y)
            correct += (logits.argmax(1) == y).sum().item()
            count += len(y)
    return total_loss / count, correct / count


def fit(model, optimizer, lr_scheduler, dataloaders, max_epochs, patience):
    """Train with early stopping on validation accuracy; restores the best weights. Returns history."""
    history = {"train_loss": [], "train_acc": [], "val_loss": [], "val_acc": []}
    best_acc, best_state, waited = -1.0, None, 0
    for epoch in range(max_epochs):
        train_loss, train_acc = run_epoch(model, optimizer, dataloaders["train"], True)
        val_loss, val_acc = run_epoch(model, None, dataloaders["val"], False)
        if lr_scheduler is not None:
            lr_scheduler.step()
        for key, value in zip(history, (train_loss, train_acc, val_loss, val_acc)):
            history[key].append(value)
        if val_acc > best_acc:
            best_acc, best_state, waited = val_acc, model.state_dict(), 0
        else:
            waited += 1
            if waited >= patience:
                break
    model.load_state_dict(best_state)
    return history
