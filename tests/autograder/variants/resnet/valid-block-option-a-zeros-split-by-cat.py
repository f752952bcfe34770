# answer: residual_block
# expect: none
# its own option-A shortcut that splits the zero channels on both sides, the larger half before the
# input's (torch.cat of two zero blocks): keeps every point
class ResidualBlock(nn.Module):
    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.stride, self.extra = stride, out_channels - in_channels

    def forward(self, x):
        out = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        skip = x[:, :, ::self.stride, ::self.stride]
        if self.extra:
            n, _, h, w = skip.shape
            before, after = self.extra - self.extra // 2, self.extra // 2
            skip = torch.cat([skip.new_zeros(n, before, h, w), skip, skip.new_zeros(n, after, h, w)], dim=1)
        return F.relu(out + skip)
