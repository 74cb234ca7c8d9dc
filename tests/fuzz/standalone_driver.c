/* SPDX-License-Identifier: MIT */
/*
 * Standalone driver for libFuzzer targets (libgit2's idea): run every corpus
 * file given on the command line, then --iterations=N deterministic
 * mutations (bit flips, truncations, splices, length-field smashing) of them.
 * A crash, sanitizer report or hang is a test failure; otherwise exit 0.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_INPUT (1u << 20)

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng(void)
{
	uint64_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	rng_state = x;
	return x;
}

struct input {
	uint8_t *data;
	size_t len;
};

static int load(const char *path, struct input *in)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f) {
		fprintf(stderr, "fuzz driver: cannot open '%s'\n", path);
		return -1;
	}
	in->data = malloc(MAX_INPUT);
	if (!in->data) {
		fclose(f);
		return -1;
	}
	n = fread(in->data, 1, MAX_INPUT, f);
	fclose(f);
	in->len = n;
	return 0;
}

static size_t mutate(uint8_t *buf, size_t len, size_t cap, const struct input *all, size_t nall)
{
	unsigned op = (unsigned)(rng() % 7);
	size_t i;

	switch (op) {
	case 0: /* flip bits */
		for (i = 0; len && i < 1 + rng() % 4; i++)
			buf[rng() % len] ^= (uint8_t)(1u << (rng() % 8));
		break;
	case 1: /* truncate */
		if (len)
			len = (size_t)(rng() % len);
		break;
	case 2: /* interesting bytes */
		for (i = 0; len && i < 1 + rng() % 3; i++) {
			static const uint8_t vals[] = { 0x00, 0xff, 0x7f, 0x80, 0x01, 0xfe };
			buf[rng() % len] = vals[rng() % sizeof(vals)];
		}
		break;
	case 3: /* big-endian length smash */
		if (len >= 4) {
			size_t at = (size_t)(rng() % (len - 3));

			buf[at] = 0xff;
			buf[at + 1] = (uint8_t)rng();
		}
		break;
	case 4: /* splice with another input */
		if (nall) {
			const struct input *o = &all[rng() % nall];
			size_t at = len ? (size_t)(rng() % len) : 0;
			size_t take = o->len ? (size_t)(rng() % o->len) : 0;

			if (at + take > cap)
				take = cap - at;
			memcpy(buf + at, o->data + (o->len - take), take);
			len = at + take;
		}
		break;
	case 5: /* duplicate a chunk */
		if (len && len < cap / 2) {
			size_t at = (size_t)(rng() % len), n = (size_t)(rng() % (len - at)) + 1;

			if (len + n <= cap) {
				memmove(buf + at + n, buf + at, len - at);
				len += n;
			}
		}
		break;
	default: /* random byte */
		if (len)
			buf[rng() % len] = (uint8_t)rng();
		break;
	}
	return len;
}

int main(int argc, char **argv)
{
	struct input *ins = NULL;
	size_t nin = 0, iterations = 10000, it;
	uint8_t *buf;
	int i;

	ins = calloc((size_t)argc, sizeof(*ins));
	buf = calloc(1, MAX_INPUT);
	if (!ins || !buf)
		return 1;
	for (i = 1; i < argc; i++) {
		if (strncmp(argv[i], "--iterations=", 13) == 0) {
			iterations = (size_t)strtoul(argv[i] + 13, NULL, 10);
			continue;
		}
		if (load(argv[i], &ins[nin]) < 0)
			return 1;
		LLVMFuzzerTestOneInput(ins[nin].data, ins[nin].len);
		nin++;
	}
	/* the empty input and a few random ones even without a corpus */
	LLVMFuzzerTestOneInput(buf, 0);
	for (it = 0; it < iterations; it++) {
		size_t len;

		if (nin) {
			const struct input *base = &ins[rng() % nin];

			memcpy(buf, base->data, base->len);
			len = base->len;
			for (int k = 0; k < 1 + (int)(rng() % 3); k++)
				len = mutate(buf, len, MAX_INPUT, ins, nin);
		} else {
			len = (size_t)(rng() % 512);
			for (size_t k = 0; k < len; k++)
				buf[k] = (uint8_t)rng();
		}
		/* copy into an exact-size heap block so ASan catches overreads */
		{
			uint8_t *exact = malloc(len ? len : 1);

			if (!exact)
				return 1;
			memcpy(exact, buf, len);
			LLVMFuzzerTestOneInput(exact, len);
			free(exact);
		}
	}
	printf("fuzz driver: %zu corpus inputs, %zu mutations, no crash\n", nin, iterations);
	for (size_t k = 0; k < nin; k++)
		free(ins[k].data);
	free(ins);
	free(buf);
	return 0;
}
