# answer: layernorm_backward
# expect: test_layernorm_backward test_spatial_batchnorm_forward test_spatial_batchnorm_backward test_batchnorm_module
# Right numbers, wrong exercise: both layer-norm functions come from the course library's
# torch-backed reference (dlcourse.normalization before issue 18, now the book's
# book/normalization/torch_layers.py, which the kernel never gets); the forbidden-shortcut check takes the points
# of every later test cell too (it scans all the cells the student wrote before a test).
from dlcourse.normalization import layernorm_backward, layernorm_forward
