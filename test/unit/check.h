/* SPDX-License-Identifier: BSD-3-Clause */
/* A minimal checker for the unit tests: counts checks, prints failures. */
#ifndef CHECK_H
#define CHECK_H

#include <inttypes.h>
#include <stdio.h>

static int check_failed, check_passed;

#define CHECK(cond)                                                          \
	do {                                                                 \
		if (cond) {                                                  \
			check_passed++;                                      \
		} else {                                                     \
			check_failed++;                                      \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, \
				__LINE__, #cond);                            \
		}                                                            \
	} while (0)

#define CHECK_EQ(a, b)                                                       \
	do {                                                                 \
		long long a_ = (long long)(a), b_ = (long long)(b);          \
		if (a_ == b_) {                                              \
			check_passed++;                                      \
		} else {                                                     \
			check_failed++;                                      \
			fprintf(stderr, "%s:%d: CHECK failed: %s == %s "     \
				"(%lld != %lld)\n", __FILE__, __LINE__, #a,  \
				#b, a_, b_);                                 \
		}                                                            \
	} while (0)

static inline int
check_report(const char *name)
{
	printf("%s: %d checks passed, %d failed\n", name, check_passed,
	       check_failed);
	return check_failed ? 1 : (check_passed ? 0 : 1);
}

#endif
