# tests/unit/: Check unit tests (TAP).
