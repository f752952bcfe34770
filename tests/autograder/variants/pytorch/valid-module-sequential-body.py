# answer: module
# expect: none
# a module whose body is an nn.Sequential; the linear layer created first; init through apply

class ThreeLayerConvNet(nn.Module):
    def __init__(self, in_channel, channel_1, channel_2, num_classes):
        super().__init__()
        head = nn.Linear(channel_2 * 32 * 32, num_classes)
        self.body = nn.Sequential(
            nn.Conv2d(in_channel, channel_1, (5, 5), padding=2), nn.ReLU(inplace=True),
            nn.Conv2d(channel_1, channel_2, (3, 3), padding="same"), nn.ReLU(inplace=True), nn.Flatten(), head)
        self.apply(self._init)

    @staticmethod
    def _init(m):
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
            m.bias.data.zero_()

    def forward(self, x):
        return self.body(x)
