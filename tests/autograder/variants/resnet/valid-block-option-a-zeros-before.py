# answer: residual_block
# expect: none
# its own option-A shortcut, a LambdaLayer as in common CIFAR ResNet code, with the zero channels
# BEFORE the input's (torch.cat): keeps every point
class LambdaLayer(nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return self.fn(x)


class ResidualBlock(nn.Module):
    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        extra = out_channels - in_channels

        def skip(x):
            x = x[:, :, ::stride, ::stride]
            zeros = x.new_zeros((x.shape[0], extra, x.shape[2], x.shape[3]))
            return torch.cat([zeros, x], dim=1)
        self.shortcut = LambdaLayer(skip)

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.shortcut(x))
