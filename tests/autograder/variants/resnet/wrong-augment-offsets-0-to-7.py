# answer: data
# expect: test_augment
# offsets drawn from 0..7: the last crop position never appears
import pickle


def load_cifar_batch(path):
    """Read one CIFAR-10 python batch file. Returns a tuple of: images uint8 (N, 32, 32, 3), labels int64 (N,)."""
    with open(path, "rb") as f:
        batch = pickle.load(f, encoding="bytes")
    images = np.asarray(batch[b"data"], dtype=np.uint8).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    return np.ascontiguousarray(images), np.asarray(batch[b"labels"], dtype=np.int64)


def augment(images, rng):
    """Pad 4, random 32x32 crop, horizontal flip with probability 0.5. images: uint8 (N, 32, 32, 3)."""
    n = len(images)
    padded = np.pad(images, ((0, 0), (4, 4), (4, 4), (0, 0)))
    out = np.empty_like(images)
    dy = rng.integers(0, 8, size=n)
    dx = rng.integers(0, 8, size=n)
    flip = rng.random(n) < 0.5
    for i in range(n):
        crop = padded[i, dy[i]:dy[i] + 32, dx[i]:dx[i] + 32]
        out[i] = crop[:, ::-1] if flip[i] else crop
    return out
