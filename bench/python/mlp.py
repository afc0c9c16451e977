"""The MLP of dl4ts's bench (784-500-250-10, ReLU, softmax cross-entropy, He-normal hidden layers,
Glorot-normal output, Nesterov momentum 0.9 at lr 0.02, L2 1e-4 as weight decay, batch 128) for
training, or the same model's one-sample inference for --model mlp-latency."""
import training

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

    x_all, y_all = training.images(torch, args)
    optimizer = torch.optim.SGD(training.l2_groups(model, 1e-4), lr=0.02, momentum=0.9, nesterov=True)
    return training.minibatch_trainer(model, optimizer, nn.CrossEntropyLoss(), x_all, y_all, BATCH)
