/* C side of tests/programs/cgo. */
int call_from_c(int n);
int run_c_threads(int n);
