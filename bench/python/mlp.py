"""The MLP of dl4ts's bench (784-500-250-10, ReLU, softmax cross-entropy, He-normal hidden layers,
Glorot-normal output, Nesterov momentum 0.9 at lr 0.02, L2 1e-4 as weight decay, batch 128) for
training, or the same model's one-sample inference for --model mlp-latency."""
import os

import mnist
import numpy as np

BATCH = 128


def build(torch, args):
    nn = torch.nn
    model = nn.Sequential(nn.Linear(784, 500), nn.ReLU(), nn.Linear(500, 250), nn.ReLU(), nn.Linear(250, 10))
    for layer, init in ((model[0], "he"), (model[2], "he"), (model[4], "glorot")):
        if init == "he":
            nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
        else:
            nn.init.xavier_normal_(layer.weight)
        nn.init.zeros_(layer.bias)

    if args.model == "mlp-latency":
        model.eval()
        x = torch.rand(1, 784)
        if args.onnx:
            # The same weights for onnxruntime: the model as it is, one sample in, logits out.
            torch.onnx.export(model, x, args.onnx, input_names=["x"], output_names=["y"], opset_version=13)

        def infer(units):
            with torch.no_grad():
                for _ in range(units):
                    model(x).numpy()  # read back, as dl4ts's await data()
            return 0.0

        return infer

    data = mnist.load(os.path.join(args.data, "mnist"), "train", 3840) if args.data else None
    if data is None:
        rng = np.random.default_rng(args.seed)
        data = (rng.random((3840, 784), dtype=np.float32), rng.integers(0, 10, 3840))
    x_all = torch.from_numpy(np.ascontiguousarray(data[0]))
    y_all = torch.from_numpy(np.ascontiguousarray(data[1]))
    # DL4J's L2 adds l2 * w to the gradient: torch's weight_decay, on weights only, as dl4ts.
    weights = [p for name, p in model.named_parameters() if name.endswith("weight")]
    biases = [p for name, p in model.named_parameters() if name.endswith("bias")]
    optimizer = torch.optim.SGD([{"params": weights, "weight_decay": 1e-4}, {"params": biases}], lr=0.02, momentum=0.9, nesterov=True)
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
