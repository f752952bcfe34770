# answer: data
# expect: none
# encoding='latin1' (str keys), a vectorized crop with fancy indexing, flips drawn first

import pickle


def load_cifar_batch(path):
    with open(path, "rb") as f:
        d = pickle.load(f, encoding="latin1")
    x = d["data"].reshape(len(d["data"]), 3, 32, 32)
    return np.transpose(x, (0, 2, 3, 1)).astype("uint8"), np.array(d["labels"]).astype(np.int64)


def augment(images, rng):
    n, h, w, c = images.shape
    padded = np.zeros((n, h + 8, w + 8, c), dtype=images.dtype)
    padded[:, 4:4 + h, 4:4 + w] = images
    flips = rng.uniform(size=n) < 0.5
    oy, ox = rng.integers(9, size=(2, n))
    rows = oy[:, None] + np.arange(h)
    cols = ox[:, None] + np.arange(w)
    cols = np.where(flips[:, None], cols[:, ::-1], cols)
    return padded[np.arange(n)[:, None, None], rows[:, :, None], cols[:, None, :]]
