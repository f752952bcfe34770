# chapter: resnet
# The book's study net (dlcourse.study.StudyNet, the layout of He et al.'s CIFAR ResNet) imported
# from the benchmark module that re-exports it (dlcourse.bench_resnet), not from dlcourse.study,
# which the test cells forbid by name.
# Before (forbidden-call check resolved names, not re-exports): 24/24. Base (the `resnet` answer
# cell as released): 20/24. After (dlcourse.bench_resnet.StudyNet resolved to dlcourse.study.StudyNet;
# dlcourse.bench_resnet forbidden too): 3/24 (the import stands before every later test, which forbid it too).
# Since both modules moved out of the student library (issue 18: book/resnet/study.py and
# bench_resnet.py, beside the ResNet page), the kernel cannot import them either; the names stay
# forbidden, so this old route still costs the points.
import classroom

ANSWERS = {"resnet": '''
import dlcourse.bench_resnet as bench


class ResidualStack(nn.Sequential):
    def __init__(self, in_channels, out_channels, stride, num_blocks):
        blocks = [ResidualBlock(in_channels, out_channels, stride)]
        blocks += [ResidualBlock(out_channels, out_channels, 1) for _ in range(num_blocks - 1)]
        super().__init__(*blocks)


def make_resnet(n, num_classes=10):
    return nn.Sequential(bench.StudyNet(n, num_classes=num_classes))
'''}


def submit(folder, released, source):
    classroom.write_answers(folder, released, source, "resnet", replace=ANSWERS)


def base(folder, released, source):
    classroom.write_answers(folder, released, source, "resnet", replace=classroom.released_answers(released, ANSWERS))
