"""The character LSTM of dl4ts's bench: 2x256 LSTM on one-hot characters, softmax output,
cross-entropy, Adam lr 2e-3, batch 32 sequences of 200 characters in 4 truncated-BPTT segments of
50 with the state carried (detached) between them: the same work per update as dl4ts."""
import os

import numpy as np

HIDDEN = 256
BATCH = 32
SEGMENT = 50
SEQUENCE = 200


def build(torch, args):
    nn = torch.nn
    path = os.path.join(args.data, "tinyshakespeare", "input.txt") if args.data else ""
    if path and os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            text = f.read()
    else:
        rng = np.random.default_rng(args.seed)
        text = "".join(chr(32 + int(c)) for c in rng.integers(0, 65, 200_000))  # 65 symbols, as the TypeScript fallback
    symbols = sorted(set(text))
    index = {c: i for i, c in enumerate(symbols)}
    codes = np.array([index[c] for c in text], dtype=np.int64)
    v = len(symbols)

    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = nn.LSTM(v, HIDDEN, num_layers=2, batch_first=True)
            self.out = nn.Linear(HIDDEN, v)

        def forward(self, x, state):
            y, state = self.lstm(x, state)
            return self.out(y), state

    model = Model()
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    loss_fn = nn.CrossEntropyLoss()
    eye = torch.eye(v)
    offset = [0]

    def train(units):
        chars_per_batch = BATCH * SEQUENCE
        total, steps, done = 0.0, 0, 0
        while done < units:
            if offset[0] + chars_per_batch + 1 > len(codes):
                offset[0] = 0
            s = offset[0]
            block = torch.from_numpy(codes[s : s + chars_per_batch + 1])
            offset[0] += chars_per_batch
            x = eye[block[:-1]].reshape(BATCH, SEQUENCE, v)
            y = block[1:].reshape(BATCH, SEQUENCE)
            state = None
            for t in range(0, SEQUENCE, SEGMENT):
                optimizer.zero_grad(set_to_none=True)
                logits, state = model(x[:, t : t + SEGMENT], state)
                loss = loss_fn(logits.reshape(-1, v), y[:, t : t + SEGMENT].reshape(-1))
                loss.backward()
                optimizer.step()
                state = tuple(h.detach() for h in state)
                total += float(loss)
                steps += 1
            done += chars_per_batch
        return total / max(steps, 1)

    return train
