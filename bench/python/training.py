"""What the MNIST contenders (mlp.py, lenet.py) share: their training images, the parameter groups
that give DL4J's L2 (on weights only), and the minibatch loop a round runs."""
import os

import mnist
import numpy as np

IMAGES = 3840


def images(torch, args):
    """The first 3,840 MNIST training images and their classes as tensors, or random ones of the
    same shapes (seeded) where the data is not found."""
    data = mnist.load(os.path.join(args.data, "mnist"), "train", IMAGES) if args.data else None
    if data is None:
        rng = np.random.default_rng(args.seed)
        data = (rng.random((IMAGES, 784), dtype=np.float32), rng.integers(0, 10, IMAGES))
    return torch.from_numpy(np.ascontiguousarray(data[0])), torch.from_numpy(np.ascontiguousarray(data[1]))


def l2_groups(model, l2):
    """Parameter groups for an optimizer: DL4J's L2 adds l2 * w to the gradient, which is torch's
    weight_decay, on the weights only, as dl4ts applies it."""
    weights = [p for name, p in model.named_parameters() if name.endswith("weight")]
    biases = [p for name, p in model.named_parameters() if name.endswith("bias")]
    return [{"params": weights, "weight_decay": l2}, {"params": biases}]


def minibatch_trainer(model, optimizer, loss_fn, x_all, y_all, batch):
    """A round function: trains `units` examples in minibatches of `batch`, cycling through the
    data, and returns the mean minibatch loss."""
    position = [0]

    def train(units):
        total = 0.0
        steps = 0
        done = 0
        while done < units:
            if position[0] + batch > len(x_all):
                position[0] = 0
            s = position[0]
            xb, yb = x_all[s : s + batch], y_all[s : s + batch]
            position[0] += batch
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
            total += float(loss)
            steps += 1
            done += batch
        return total / max(steps, 1)

    return train
