# The reference solutions of the task pack are the learner's files, graded by
# tests/test_exercises.py in processes of their own: pytest does not collect them.
collect_ignore_glob = ["task*.py"]
