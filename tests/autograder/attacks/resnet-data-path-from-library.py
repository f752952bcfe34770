# chapter: resnet
# The data exercise delegated to the course library: load_cifar_batch to the CIFAR reader of
# dlcourse.data (a private helper that reads a batch from a tar archive, handed a stand-in
# archive), augment to the augmentation of the given GPU data path (dlcourse.resnet.TensorBatches,
# imported by the notebook's imports cell for the full-mode demo).
# Before (nothing forbade the library's own implementations): 24/24. Base (the `data` answer
# cell as released): 19/24. After (the tests forbid dlcourse.data._read_batch and dlcourse.resnet.TensorBatches;
# an instance's attribute is its class's): 19/24, test_load_cifar_batch and test_augment lost.
import classroom

ANSWERS = {"data": '''
import dlcourse.data


class _OneFile:
    def __init__(self, path):
        self.path = path

    def extractfile(self, name):
        return open(self.path, "rb")


def load_cifar_batch(path):
    images, labels = dlcourse.data._read_batch(_OneFile(path), "any")
    return images, labels.astype(np.int64)


def augment(images, rng):
    batches = TensorBatches(images, np.zeros(len(images)), device="cpu", seed=int(rng.integers(2**31)))
    x = torch.from_numpy(np.ascontiguousarray(images)).permute(0, 3, 1, 2)
    return batches.augment(x).permute(0, 2, 3, 1).contiguous().numpy()
'''}


def submit(folder, released, source):
    classroom.write_answers(folder, released, source, "resnet", replace=ANSWERS)


def base(folder, released, source):
    classroom.write_answers(folder, released, source, "resnet", replace=classroom.released_answers(released, ANSWERS))
