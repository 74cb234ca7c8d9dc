/* c.c calls b_two() only through its own static of the same name: no cycle with b.c */
static int b_two(void) { return 2; }
int c_one(void) { return b_two(); }
int c_unused(void) { return helper(); }
static int helper(void) { return 0; }
