/* a.c calls b_one(); b.c takes a_cb's address: a cycle. */
#include "x.h"
#define CALL_C c_one()
int a_cb(int x);
static int helper(void) { return 1; }
int a_cb(int x)
{
	struct s v = { .b_two = 1 };   /* member names are not uses */
	const char *msg = "c_one()";    /* nor are strings */
	/* nor comments: c_one(); */
	return b_one(x) + helper() + v.b_two + v->b_two + (msg != 0);
}
