# answer: blocks
# expect: test_blocks
# stride on the first 1x1 convolution (the original paper's choice, not the one asked for)
class BottleneckBlock(nn.Module):
    """BottleneckBlock(in_channels, bottleneck_channels, stride=1): (N, in, H, W) -> (N, 4 * bottleneck, H / stride, W / stride)."""
    expansion = 4

    def __init__(self, in_channels, bottleneck_channels, stride=1):
        super().__init__()
        out_channels = self.expansion * bottleneck_channels
        self.conv1 = nn.Conv2d(in_channels, bottleneck_channels, 1, stride=stride, bias=False)
        self.bn1 = nn.BatchNorm2d(bottleneck_channels)
        self.conv2 = nn.Conv2d(bottleneck_channels, bottleneck_channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(bottleneck_channels)
        self.conv3 = nn.Conv2d(bottleneck_channels, out_channels, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(out_channels)
        self.shortcut = nn.Identity()
        if stride != 1 or in_channels != out_channels:
            self.shortcut = nn.Sequential(nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False),
                                          nn.BatchNorm2d(out_channels))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = F.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return F.relu(out + self.shortcut(x))


class PreActBlock(nn.Module):
    """PreActBlock(in_channels, out_channels, stride=1): (N, in, H, W) -> (N, out, H / stride, W / stride)."""

    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(in_channels)
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=False)
        self.shortcut = OptionAShortcut(in_channels, out_channels, stride)

    def forward(self, x):
        out = self.conv1(F.relu(self.bn1(x)))
        out = self.conv2(F.relu(self.bn2(out)))
        return out + self.shortcut(x)
