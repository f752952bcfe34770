# answer: sequential
# expect: none
# named layers through an OrderedDict, torch.flatten in a Lambda-free way (nn.Flatten(1)), randn * std init

from collections import OrderedDict


def sequential_convnet(in_channel, channel_1, channel_2, num_classes):
    model = nn.Sequential(OrderedDict([
        ("conv1", nn.Conv2d(in_channel, channel_1, 5, padding=2)), ("relu1", nn.ReLU()),
        ("conv2", nn.Conv2d(channel_1, channel_2, 3, padding=1)), ("relu2", nn.ReLU()),
        ("flatten", nn.Flatten(1)), ("fc", nn.Linear(channel_2 * 32 * 32, num_classes))]))
    with torch.no_grad():
        for layer in (model.conv1, model.conv2, model.fc):
            layer.weight.copy_(torch.randn_like(layer.weight) * math.sqrt(2 / layer.weight[0].numel()))
            layer.bias.zero_()
    return model
