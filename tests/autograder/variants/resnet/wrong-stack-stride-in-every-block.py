# answer: resnet
# expect: test_resnet
# every block of a stack subsamples
class ResidualStack(nn.Sequential):
    """num_blocks ResidualBlocks; the first maps in_channels -> out_channels with `stride`."""

    def __init__(self, in_channels, out_channels, stride, num_blocks):
        blocks = [ResidualBlock(in_channels, out_channels, stride)]
        blocks += [ResidualBlock(out_channels, out_channels, stride) for _ in range(num_blocks - 1)]
        super().__init__(*blocks)


def make_resnet(n, num_classes=10):
    """The CIFAR ResNet of depth 6n + 2 as an nn.Sequential; input (N, 3, 32, 32) -> logits (N, num_classes)."""
    return nn.Sequential(
        nn.Conv2d(3, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU(inplace=True),
        ResidualStack(16, 16, 1, n), ResidualStack(16, 32, 2, n), ResidualStack(32, 64, 2, n),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, num_classes))
