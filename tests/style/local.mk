# tests/style/: source rules checked by machine (banned calls, READMEs, sizes).
TESTS += tests/style/checksrc.sh
EXTRA_DIST += tests/style/checksrc.sh
