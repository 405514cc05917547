/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internals of the xensimd xenstore: the node database (xs_db.c) and the
 * connections, wire protocol and watches (xs_conn.c).
 */
#ifndef XS_INT_H
#define XS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define XS_PERM_NONE 0x0
#define XS_PERM_READ 0x1
#define XS_PERM_WRITE 0x2
#define XS_PERM_OWNER 0x8

/* Limits applied to unprivileged domains (dom0 is exempt, as a toolstack). */
#define XS_QUOTA_NODE_SIZE 2048 /* header + perms + value + children list */
#define XS_QUOTA_WATCHES 128     /* per connection */
#define XS_QUOTA_TRANSACTIONS 10 /* per connection */
#define XS_QUOTA_PERMS 5         /* entries in one SET_PERMS */
#define XS_QUOTA_NODES 1000      /* nodes a domain owns */
#define XS_OUTQ_MAX (1u << 20)   /* queued output before events are dropped */
#define XS_OUTQ_STOP (4u << 20)  /* queued output before reading stops */

/* ---- string-keyed hash table with intrusive entries ---- */
struct ht_ent {
	struct ht_ent *next;
	char *key;
};

struct htab {
	struct ht_ent **b;
	size_t nb, n;
};

void ht_init(struct htab *h);
struct ht_ent *ht_find(const struct htab *h, const char *key);
void ht_insert(struct htab *h, struct ht_ent *e); /* key must be unique */
void ht_remove(struct htab *h, struct ht_ent *e);
/* Iterate: for (e = ht_first(h, &i); e; e = ht_next(h, &i, e)) */
struct ht_ent *ht_first(const struct htab *h, size_t *i);
struct ht_ent *ht_next(const struct htab *h, size_t *i, struct ht_ent *e);
void ht_free(struct htab *h);

/* ---- nodes ---- */
struct xs_perm {
	uint32_t id;
	uint8_t perm; /* XS_PERM_READ | XS_PERM_WRITE */
};

struct xs_node {
	struct ht_ent he; /* he.key is the absolute path */
	uint8_t *data;
	uint32_t datalen;
	struct xs_perm *perms; /* perms[0].id is the owner */
	uint32_t nperms;
	char *children; /* leaf names, each followed by a nul */
	uint32_t childlen;
	uint64_t gen; /* generation of the last change, never 0 */
};

struct xs_tx;

/* Database access, on the committed store (tx == NULL) or in a transaction. */
struct xs_node *db_get(struct xs_tx *tx, const char *path);
/* The node was modified in place. */
void db_dirty(struct xs_tx *tx, struct xs_node *n);
/* Create an empty node (no data, no children, a copy of perms). */
struct xs_node *db_create(struct xs_tx *tx, const char *path,
			  const struct xs_perm *perms, uint32_t nperms);
/* Remove one node (not its children). */
void db_delete(struct xs_tx *tx, const char *path);

int node_set_data(struct xs_node *n, const void *data, uint32_t len);
int node_set_perms(struct xs_node *n, const struct xs_perm *p, uint32_t np);
int node_add_child(struct xs_node *n, const char *name);
void node_del_child(struct xs_node *n, const char *name);
size_t node_size(const struct xs_node *n);

void db_init(void);
void db_fini(void);
size_t db_count_owned(uint32_t domid);
size_t db_count(void);
/* Nodes owned by a dead domain go to dom0; its other entries are dropped. */
void db_forget_domain(uint32_t domid);

/* Transactions. */
struct xs_tx *tx_new(uint32_t id);
/*
 * Queue a watch event for the commit, with the perms the node n had in the
 * transaction (it may be gone by then: its watchers must still hear of it).
 */
int tx_queue_event(struct xs_tx *tx, const char *path, bool exact,
		   const struct xs_node *n);
/* Returns 0 or EAGAIN; on success, calls fire() for every queued event. */
typedef void (*tx_fire_fn)(const char *path, bool exact,
			   const struct xs_node *perms, void *arg);
int tx_commit(struct xs_tx *tx, tx_fire_fn fire, void *arg);
void tx_free(struct xs_tx *tx);
uint32_t tx_id(const struct xs_tx *tx);
struct xs_tx *tx_list_next(struct xs_tx *tx);
void tx_list_set_next(struct xs_tx *tx, struct xs_tx *next);

/* Permissions. */
unsigned int perm_for(uint32_t domid, const struct xs_node *n);
bool perm_parse(const char *s, struct xs_perm *p);
int perm_format(const struct xs_perm *p, char *buf, size_t len);

/* Hooks of xs_conn.c used by the domain lifecycle of xs_db.c. */
void xs_fire_watches(const char *path, bool exact);

#endif
