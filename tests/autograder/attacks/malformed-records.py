# Write records the grader cannot use to the record descriptor: a key that is not a string, a value
# nested far deeper than the reference's, JSON nested deeply enough to exhaust recursion.
import os, json
fd = int(os.environ["DLCOURSE_RECORD_FD"])
deep = {"shape": [1], "f64": "AAAAAAAAAAA="}
for _ in range(200):
    deep = {"dict": {"next_w": deep}}
lines = [json.dumps({"key": ["adam", 1], "value": deep}),
         json.dumps({"key": {"k": 1}, "value": {"shape": [1], "f64": "AAAAAAAAAAA="}}),
         json.dumps({"key": "adam/case1/step1", "value": deep}),
         json.dumps({"key": "adam/case1/step1", "value": {"shape": ["x"], "f64": 3}}),
         "[" * 200000 + "]" * 200000,
         '{"key": "adam/case1/step1", "value": ' + '{"dict": {"a": ' * 50000 + "1" + "}}" * 50000 + "}"]
os.write(fd, ("\n".join(lines) + "\n").encode())
