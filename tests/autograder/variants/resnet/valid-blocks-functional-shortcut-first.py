# answer: blocks
# expect: none
# the shortcut built and run first, nn.Sequential bodies

class BottleneckBlock(nn.Module):
    expansion = 4

    def __init__(self, in_channels, bottleneck_channels, stride=1):
        super().__init__()
        out = bottleneck_channels * self.expansion
        self.project = None
        if stride != 1 or in_channels != out:
            self.project = nn.Sequential(nn.Conv2d(in_channels, out, kernel_size=1, stride=stride, bias=False), nn.BatchNorm2d(out))
        self.body = nn.Sequential(
            nn.Conv2d(in_channels, bottleneck_channels, 1, bias=False), nn.BatchNorm2d(bottleneck_channels), nn.ReLU(),
            nn.Conv2d(bottleneck_channels, bottleneck_channels, 3, stride, 1, bias=False), nn.BatchNorm2d(bottleneck_channels), nn.ReLU(),
            nn.Conv2d(bottleneck_channels, out, 1, bias=False), nn.BatchNorm2d(out))

    def forward(self, x):
        identity = x if self.project is None else self.project(x)
        return torch.relu(self.body(x) + identity)


class PreActBlock(nn.Module):
    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__()
        self.shortcut = OptionAShortcut(in_channels, out_channels, stride)
        self.body = nn.Sequential(
            nn.BatchNorm2d(in_channels), nn.ReLU(), nn.Conv2d(in_channels, out_channels, 3, stride, 1, bias=False),
            nn.BatchNorm2d(out_channels), nn.ReLU(), nn.Conv2d(out_channels, out_channels, 3, 1, 1, bias=False))

    def forward(self, x):
        skip = self.shortcut(x)
        return self.body(x) + skip
