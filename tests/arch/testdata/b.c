/* b.c: b_one() is called by a.c, and b.c's table points at a_cb */
struct ops { int (*fn)(int); };
static const struct ops table = { .fn = a_cb };
int b_one(int x) { return x + c_one(); }
int b_two(void) { return table.fn(0); }
