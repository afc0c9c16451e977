"""LeNet of dl4ts's bench (Deeplearning4j's LeNetMNIST: conv 5x5x20, max-pool 2, conv 5x5x50,
max-pool 2, dense 500 relu, softmax 10; Glorot-normal weights, Adam 1e-3, L2 5e-4 on the weights,
batch 64), channels first as PyTorch stores images."""
import os

import mnist
import numpy as np

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
    data = mnist.load(os.path.join(args.data, "mnist"), "train", 3840) if args.data else None
    if data is None:
        rng = np.random.default_rng(args.seed)
        data = (rng.random((3840, 784), dtype=np.float32), rng.integers(0, 10, 3840))
    x_all = torch.from_numpy(np.ascontiguousarray(data[0])).reshape(-1, 1, 28, 28)
    y_all = torch.from_numpy(np.ascontiguousarray(data[1]))
    weights = [p for name, p in model.named_parameters() if name.endswith("weight")]
    biases = [p for name, p in model.named_parameters() if name.endswith("bias")]
    # DL4J's L2 adds l2 * w to the gradient: torch's weight_decay on the weights, as dl4ts.
    optimizer = torch.optim.Adam([{"params": weights, "weight_decay": 5e-4}, {"params": biases}], lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    position = [0]

    def train(units):
        total = 0.0
        steps = 0
        done = 0
        while done < units:
            if position[0] + BATCH > len(x_all):
                position[0] = 0
            s = position[0]
            xb, yb = x_all[s : s + BATCH], y_all[s : s + BATCH]
            position[0] += BATCH
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
            total += float(loss)
            steps += 1
            done += BATCH
        return total / max(steps, 1)

    return train
