# answer: initialize_weight
# expect: test_initialize_weight
# batch-norm parameters left as they are
def initialize_weight(module):
    """Kaiming-normal conv/linear weights with zero biases; BN weight 1 and bias 0."""
    if isinstance(module, (nn.Conv2d, nn.Linear)):
        nn.init.kaiming_normal_(module.weight, nonlinearity="relu")
        if module.bias is not None:
            nn.init.zeros_(module.bias)
