# The simulation backend: replays a recorded search space (read through the store layer).
# Always built.
tuna_backend(sim DEPS store core base)
