# answer: initialize_weight
# expect: test_initialize_weight
# Glorot/Xavier instead of He initialization
def initialize_weight(module):
    """Kaiming-normal conv/linear weights with zero biases; BN weight 1 and bias 0."""
    if isinstance(module, (nn.Conv2d, nn.Linear)):
        nn.init.xavier_normal_(module.weight)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    elif isinstance(module, nn.BatchNorm2d):
        nn.init.ones_(module.weight)
        nn.init.zeros_(module.bias)
