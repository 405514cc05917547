/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal interface of xensimd, the simulated Xen host daemon.
 *
 * The daemon is one process per simulated host, all of its state under one
 * directory (DIR). It has three parts:
 *   - the core (xensimd.c, ctl.c): event loop, the admin socket DIR/ctl.sock
 *     used by the xensim CLI, domain lifecycle;
 *   - the xenstore (xs_*.c): xenstored wire protocol on DIR/xs-dom<N>.sock;
 *   - the hypervisor part (hv/): grant tables and event channels, served to
 *     the drop-in libxengnttab/libxenevtchn of lib/xensim over one socket
 *     per domain, DIR/hv-dom<N>.sock (doc/xensim-hv.md).
 * The core calls the two others through the functions below.
 */
#ifndef XSIMD_H
#define XSIMD_H

#include <stdint.h>
#include <stdio.h>

/* Event loop of the core (epoll). The callback gets the epoll events. */
typedef void (*xsimd_fd_cb)(void *arg, uint32_t events);
int xsimd_watch_fd(int fd, uint32_t events, xsimd_fd_cb cb, void *arg);
void xsimd_unwatch_fd(int fd);
/* Change the events of a watched fd. */
int xsimd_modify_fd(int fd, uint32_t events);

/* Log a line to DIR/xensimd.log. */
void xsimd_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Domain lifecycle of the core, used by the admin socket (ctl.c). */
int xsimd_domain_create(uint32_t domid, const char *name); /* 0 or errno */
int xsimd_domain_destroy(uint32_t domid);                  /* 0 or errno */
void xsimd_status(FILE *out);
/* Ask the event loop to stop; ctl_fd, if >= 0, is closed last, at exit. */
void xsimd_request_stop(int ctl_fd);

/* Admin socket DIR/ctl.sock (ctl.c). */
int ctl_init(const char *dir);
void ctl_fini(void);

/* Xenstore part. */
int xs_init(const char *dir);
int xs_domain_create(uint32_t domid, const char *name);
void xs_domain_destroy(uint32_t domid); /* removes its subtree, fires @releaseDomain */
void xs_status(FILE *out);
void xs_fini(void);

/* Hypervisor part: grant tables and event channels. */
int hv_init(const char *dir);
int hv_domain_create(uint32_t domid);
void hv_domain_destroy(uint32_t domid); /* revokes its grants, closes its channels */
/*
 * One line per domain, in the form the CLI prints and tests parse:
 *   hv dom=<id> grants=<n> maps=<n> evtchns=<n>
 */
void hv_status(FILE *out);
void hv_fini(void);

#endif
