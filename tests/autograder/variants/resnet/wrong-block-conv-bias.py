# answer: residual_block
# expect: test_residual_block test_resnet
# convolutions keep their bias (redundant before BN; changes the parameter count)
class ResidualBlock(nn.Module):
    """Basic residual block of the CIFAR ResNet (He et al. 2015, option-A shortcut).

    Inputs:
    - in_channels, out_channels: channels of the input and of the output.
    - stride: stride of the FIRST convolution (1, or 2 to halve the resolution).

    forward(x): x of shape (N, in_channels, H, W) -> (N, out_channels, H / stride, W / stride).
    """

    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1, bias=True)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=True)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.shortcut = OptionAShortcut(in_channels, out_channels, stride)

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.shortcut(x))
