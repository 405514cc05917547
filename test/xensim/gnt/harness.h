/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Harness of the xensim grant/event-channel tests: starts xensimd in a
 * fresh state directory, creates domains through DIR/ctl.sock, runs child
 * processes as domains (fork + exec of the test itself with XENSIM_DIR and
 * XENSIM_DOMID set), lets them talk over socketpairs, reads `status`.
 */
#ifndef HV_HARNESS_H
#define HV_HARNESS_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>

#define FAIL(...)                                                              \
	do {                                                                   \
		fprintf(stderr, "FAIL %s:%d [%s]: ", __FILE__, __LINE__, h_role); \
		fprintf(stderr, __VA_ARGS__);                                  \
		fprintf(stderr, "\n");                                         \
		exit(1);                                                       \
	} while (0)
#define CHECK(c, ...)                                                          \
	do {                                                                   \
		if (!(c)) {                                                    \
			fprintf(stderr, "FAIL %s:%d [%s]: '%s' is false:",     \
				__FILE__, __LINE__, h_role, #c);               \
			h_note(" " __VA_ARGS__);                               \
			exit(1);                                               \
		}                                                              \
	} while (0)

/* Print the rest of a failure line. */
void h_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

extern const char *h_role;
extern const char *h_dir;

/* Messages between processes: a tag and up to 14 words. */
struct hmsg {
	uint32_t tag;
	uint32_t n;
	uint32_t v[14];
};
void h_send(int fd, uint32_t tag, uint32_t n, const uint32_t *v);
void h_send1(int fd, uint32_t tag, uint32_t v0);
/* Receive a message with the given tag (anything else fails the test). */
void h_recv(int fd, uint32_t tag, struct hmsg *m);
uint32_t h_recv1(int fd, uint32_t tag);

/* Daemon control. */
void h_start(const char *xensimd);   /* mkdtemp, start, wait ready; sets h_dir */
void h_stop(void);                   /* kill daemon, remove the directory */
void h_ctl(const char *cmd);         /* a ctl command that must answer OK */
pid_t h_daemon_pid(void);

struct hv_line {
	int present;
	unsigned grants, maps, evtchns;
};
struct hv_line h_status(uint32_t domid);
/* Poll status until dom has these counts (or is absent if present == 0);
 * fails after 20 s, printing what it saw. */
void h_expect(uint32_t domid, int present, unsigned grants, unsigned maps, unsigned evtchns);

/*
 * Spawn a child: exec argv0 with "--child ROLE SCENARIO PEERFD CTLFD",
 * XENSIM_DIR=h_dir, XENSIM_DOMID=domid. Returns the pid; *ctl is our end
 * of its control socketpair; peerfd is inherited by the child.
 */
pid_t h_spawn(const char *argv0, const char *role, const char *scenario, uint32_t domid,
	      int peerfd, int *ctl);
void h_wait_ok(pid_t pid, const char *what); /* child must exit 0 */
void h_wait_both(pid_t a, pid_t b);           /* both must exit 0, fail at the first */
void h_kill(pid_t pid, int sig);

void h_setup_parent_death(void);

#endif
