/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Shared by the libFuzzer targets: reading fields out of the fuzzer's input,
 * and PROMISE(), which aborts (so libFuzzer reports a crash and saves the
 * input) when lib/netif breaks something it promises its callers.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROMISE(cond)                                                        \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "%s:%d: broken promise: %s\n",       \
				__FILE__, __LINE__, #cond);                  \
			abort();                                             \
		}                                                            \
	} while (0)

/* Build with -DFUZZ_TRACE to see what a seed does (gen_corpus.py). */
#ifdef FUZZ_TRACE
#define TRACE(...) fprintf(stderr, __VA_ARGS__)
#else
#define TRACE(...)                                                           \
	do {                                                                 \
	} while (0)
#endif

/* The fuzzer's input, read front to back; reads past its end give zeros. */
struct fin {
	const uint8_t *p;
	size_t n;
};

static inline void
fin_bytes(struct fin *f, void *dst, size_t len)
{
	size_t k = len < f->n ? len : f->n;

	if (k)
		memcpy(dst, f->p, k);
	memset((uint8_t *)dst + k, 0, len - k);
	f->p += k;
	f->n -= k;
}

static inline uint8_t
fin_u8(struct fin *f)
{
	uint8_t v;

	fin_bytes(f, &v, sizeof(v));
	return v;
}

static inline uint16_t
fin_u16(struct fin *f)
{
	uint8_t b[2];

	fin_bytes(f, b, sizeof(b));
	return (uint16_t)(b[0] | b[1] << 8);
}

static inline uint32_t
fin_u32(struct fin *f)
{
	uint8_t b[4];

	fin_bytes(f, b, sizeof(b));
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	       (uint32_t)b[3] << 24;
}

static inline uint64_t
fin_u64(struct fin *f)
{
	uint64_t lo = fin_u32(f);

	return lo | (uint64_t)fin_u32(f) << 32;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
