"""LeNet of dl4ts's bench (Deeplearning4j's LeNetMNIST: conv 5x5x20, max-pool 2, conv 5x5x50,
max-pool 2, dense 500 relu, softmax 10; Glorot-normal weights, Adam 1e-3, L2 5e-4 on the weights,
batch 64), channels first as PyTorch stores images."""
import training

BATCH = 64


def build(torch, args):
    nn = torch.nn
    model = nn.Sequential(
        nn.Conv2d(1, 20, 5), nn.MaxPool2d(2, 2),
        nn.Conv2d(20, 50, 5), nn.MaxPool2d(2, 2),
        nn.Flatten(), nn.Linear(800, 500), nn.ReLU(), nn.Linear(500, 10),
    )
    for layer in model:
        if isinstance(layer, (nn.Conv2d, nn.Linear)):
            nn.init.xavier_normal_(layer.weight)
            nn.init.zeros_(layer.bias)
    x_all, y_all = training.images(torch, args)
    optimizer = torch.optim.Adam(training.l2_groups(model, 5e-4), lr=1e-3)
    # Channels first, as PyTorch stores images.
    return training.minibatch_trainer(model, optimizer, nn.CrossEntropyLoss(), x_all.reshape(-1, 1, 28, 28), y_all, BATCH)
