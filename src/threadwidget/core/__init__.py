"""The domain core.

A thread's data, its operations and their rules, the engine, ranking, voting, replay."""
