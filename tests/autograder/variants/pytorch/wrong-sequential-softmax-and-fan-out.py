# answer: sequential
# expect: test_sequential
# a Softmax layer at the end, and Kaiming with mode="fan_out"

def sequential_convnet(in_channel, channel_1, channel_2, num_classes):
    model = nn.Sequential(
        nn.Conv2d(in_channel, channel_1, kernel_size=5, padding=2), nn.ReLU(),
        nn.Conv2d(channel_1, channel_2, kernel_size=3, padding=1), nn.ReLU(),
        nn.Flatten(), nn.Linear(channel_2 * 32 * 32, num_classes), nn.Softmax(dim=1))
    for layer in model:
        if isinstance(layer, (nn.Conv2d, nn.Linear)):
            nn.init.kaiming_normal_(layer.weight, mode="fan_out")
            nn.init.zeros_(layer.bias)
    return model
