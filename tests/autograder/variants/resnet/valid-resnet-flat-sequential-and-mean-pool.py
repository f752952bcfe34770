# answer: resnet
# expect: none
# add_module instead of a list, mean over H and W instead of AdaptiveAvgPool2d + Flatten

class ResidualStack(nn.Sequential):
    def __init__(self, in_channels, out_channels, stride, num_blocks):
        super().__init__()
        for i in range(num_blocks):
            self.add_module(f"block{i}", ResidualBlock(in_channels if i == 0 else out_channels, out_channels, stride if i == 0 else 1))


class GlobalAvgPool(nn.Module):
    def forward(self, x):
        return x.mean(dim=(2, 3))


def make_resnet(n, num_classes=10):
    layers = [nn.Conv2d(3, 16, kernel_size=3, stride=1, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU()]
    channels = 16
    for width, stride in ((16, 1), (32, 2), (64, 2)):
        layers.append(ResidualStack(channels, width, stride, n))
        channels = width
    layers += [GlobalAvgPool(), nn.Linear(channels, num_classes)]
    return nn.Sequential(*layers)
