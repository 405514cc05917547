/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * xensimd xenstore: node database, permissions and transactions.
 *
 * The committed store is a hash table of nodes keyed by absolute path; each
 * node keeps its children as a list of leaf names. Every change gives the
 * node a new generation number. A transaction keeps a private copy of each
 * node it touched, with the generation the node had in the store when the
 * transaction first looked at it (0: absent). The commit fails with EAGAIN
 * if any of those nodes changed meanwhile, otherwise the copies that were
 * modified replace the committed nodes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xs_int.h"

/* ---------------- hash table ---------------- */

static size_t hash_str(const char *s)
{
	size_t h = 5381;

	while (*s)
		h = h * 33 ^ (unsigned char)*s++;
	return h;
}

void ht_init(struct htab *h)
{
	h->nb = 64;
	h->n = 0;
	h->b = calloc(h->nb, sizeof(*h->b));
	if (!h->b)
		abort();
}

struct ht_ent *ht_find(const struct htab *h, const char *key)
{
	struct ht_ent *e;

	for (e = h->b[hash_str(key) & (h->nb - 1)]; e; e = e->next)
		if (!strcmp(e->key, key))
			return e;
	return NULL;
}

static void ht_grow(struct htab *h)
{
	size_t nb = h->nb * 2, i;
	struct ht_ent **b = calloc(nb, sizeof(*b));
	struct ht_ent *e, *next;

	if (!b)
		return; /* keep the longer chains */
	for (i = 0; i < h->nb; i++) {
		for (e = h->b[i]; e; e = next) {
			size_t k = hash_str(e->key) & (nb - 1);

			next = e->next;
			e->next = b[k];
			b[k] = e;
		}
	}
	free(h->b);
	h->b = b;
	h->nb = nb;
}

void ht_insert(struct htab *h, struct ht_ent *e)
{
	size_t k;

	if (h->n >= h->nb)
		ht_grow(h);
	k = hash_str(e->key) & (h->nb - 1);
	e->next = h->b[k];
	h->b[k] = e;
	h->n++;
}

void ht_remove(struct htab *h, struct ht_ent *e)
{
	struct ht_ent **pp = &h->b[hash_str(e->key) & (h->nb - 1)];

	for (; *pp; pp = &(*pp)->next) {
		if (*pp == e) {
			*pp = e->next;
			h->n--;
			return;
		}
	}
}

struct ht_ent *ht_first(const struct htab *h, size_t *i)
{
	for (*i = 0; *i < h->nb; (*i)++)
		if (h->b[*i])
			return h->b[*i];
	return NULL;
}

struct ht_ent *ht_next(const struct htab *h, size_t *i, struct ht_ent *e)
{
	if (e->next)
		return e->next;
	for ((*i)++; *i < h->nb; (*i)++)
		if (h->b[*i])
			return h->b[*i];
	return NULL;
}

void ht_free(struct htab *h)
{
	free(h->b);
	h->b = NULL;
	h->nb = h->n = 0;
}

/* ---------------- nodes ---------------- */

static struct htab store;
static uint64_t last_gen;

static struct xs_node *node_new(const char *path)
{
	struct xs_node *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->he.key = strdup(path);
	if (!n->he.key) {
		free(n);
		return NULL;
	}
	return n;
}

static void node_free(struct xs_node *n)
{
	if (!n)
		return;
	free(n->he.key);
	free(n->data);
	free(n->perms);
	free(n->children);
	free(n);
}

static void *dup_mem(const void *p, size_t len)
{
	void *q;

	if (!len)
		return NULL;
	q = malloc(len);
	if (q)
		memcpy(q, p, len);
	return q;
}

static struct xs_node *node_clone(const struct xs_node *o)
{
	struct xs_node *n = node_new(o->he.key);

	if (!n)
		return NULL;
	n->datalen = o->datalen;
	n->nperms = o->nperms;
	n->childlen = o->childlen;
	n->gen = o->gen;
	n->data = dup_mem(o->data, o->datalen);
	n->perms = dup_mem(o->perms, o->nperms * sizeof(*o->perms));
	n->children = dup_mem(o->children, o->childlen);
	if ((o->datalen && !n->data) || (o->nperms && !n->perms) ||
	    (o->childlen && !n->children)) {
		node_free(n);
		return NULL;
	}
	return n;
}

int node_set_data(struct xs_node *n, const void *data, uint32_t len)
{
	void *p = NULL;

	if (len) {
		p = dup_mem(data, len);
		if (!p)
			return ENOMEM;
	}
	free(n->data);
	n->data = p;
	n->datalen = len;
	return 0;
}

int node_set_perms(struct xs_node *n, const struct xs_perm *p, uint32_t np)
{
	struct xs_perm *q = dup_mem(p, np * sizeof(*p));

	if (!q)
		return ENOMEM;
	free(n->perms);
	n->perms = q;
	n->nperms = np;
	return 0;
}

int node_add_child(struct xs_node *n, const char *name)
{
	size_t len = strlen(name) + 1;
	char *c = realloc(n->children, n->childlen + len);

	if (!c)
		return ENOMEM;
	memcpy(c + n->childlen, name, len);
	n->children = c;
	n->childlen += len;
	return 0;
}

void node_del_child(struct xs_node *n, const char *name)
{
	uint32_t off = 0;

	while (off < n->childlen) {
		size_t len = strlen(n->children + off) + 1;

		if (!strcmp(n->children + off, name)) {
			memmove(n->children + off, n->children + off + len,
				n->childlen - off - len);
			n->childlen -= len;
			return;
		}
		off += len;
	}
}

size_t node_size(const struct xs_node *n)
{
	return 16 + 8 * (size_t)n->nperms + n->datalen + n->childlen;
}

/* ---------------- transactions ---------------- */

struct tx_ent {
	struct ht_ent he;
	uint64_t base_gen;    /* generation in the store at first access */
	struct xs_node *node; /* the transaction's view; NULL: absent */
	bool dirty;
};

struct tx_event {
	struct tx_event *next;
	bool exact;
	struct xs_node perms; /* only perms/nperms used */
	char path[];
};

struct xs_tx {
	uint32_t id;
	struct htab ents;
	struct tx_event *events, **events_tail;
	struct xs_tx *next; /* list of the owning connection */
};

struct xs_tx *tx_new(uint32_t id)
{
	struct xs_tx *tx = calloc(1, sizeof(*tx));

	if (!tx)
		return NULL;
	tx->id = id;
	ht_init(&tx->ents);
	tx->events_tail = &tx->events;
	return tx;
}

uint32_t tx_id(const struct xs_tx *tx)
{
	return tx->id;
}

struct xs_tx *tx_list_next(struct xs_tx *tx)
{
	return tx->next;
}

void tx_list_set_next(struct xs_tx *tx, struct xs_tx *next)
{
	tx->next = next;
}

static struct tx_ent *tx_ent_get(struct xs_tx *tx, const char *path)
{
	struct tx_ent *te = (struct tx_ent *)ht_find(&tx->ents, path);
	struct xs_node *n;

	if (te)
		return te;
	te = calloc(1, sizeof(*te));
	if (!te)
		return NULL;
	te->he.key = strdup(path);
	if (!te->he.key) {
		free(te);
		return NULL;
	}
	n = (struct xs_node *)ht_find(&store, path);
	if (n) {
		te->base_gen = n->gen;
		te->node = node_clone(n);
		if (!te->node) {
			free(te->he.key);
			free(te);
			return NULL;
		}
	}
	ht_insert(&tx->ents, &te->he);
	return te;
}

int tx_queue_event(struct xs_tx *tx, const char *path, bool exact,
		   const struct xs_node *n)
{
	size_t len = strlen(path) + 1;
	struct tx_event *ev = calloc(1, sizeof(*ev) + len);

	if (!ev)
		return ENOMEM;
	if (n && n->nperms) {
		ev->perms.perms = dup_mem(n->perms, n->nperms * sizeof(*n->perms));
		if (ev->perms.perms)
			ev->perms.nperms = n->nperms;
	}
	ev->next = NULL;
	ev->exact = exact;
	memcpy(ev->path, path, len);
	*tx->events_tail = ev;
	tx->events_tail = &ev->next;
	return 0;
}

int tx_commit(struct xs_tx *tx, tx_fire_fn fire, void *arg)
{
	struct ht_ent *e;
	struct tx_event *ev;
	size_t i;

	/* Conflict check: every node the transaction saw is unchanged. */
	for (e = ht_first(&tx->ents, &i); e; e = ht_next(&tx->ents, &i, e)) {
		struct tx_ent *te = (struct tx_ent *)e;
		struct xs_node *n = (struct xs_node *)ht_find(&store, e->key);

		if ((n ? n->gen : 0) != te->base_gen)
			return EAGAIN;
	}
	/* Apply. */
	for (e = ht_first(&tx->ents, &i); e; e = ht_next(&tx->ents, &i, e)) {
		struct tx_ent *te = (struct tx_ent *)e;
		struct xs_node *n = (struct xs_node *)ht_find(&store, e->key);

		if (!te->dirty)
			continue;
		if (n) {
			ht_remove(&store, &n->he);
			node_free(n);
		}
		if (te->node) {
			te->node->gen = ++last_gen;
			ht_insert(&store, &te->node->he);
			te->node = NULL;
		}
	}
	for (ev = tx->events; ev; ev = ev->next)
		fire(ev->path, ev->exact, ev->perms.nperms ? &ev->perms : NULL,
		     arg);
	return 0;
}

void tx_free(struct xs_tx *tx)
{
	struct ht_ent *e, *next;
	struct tx_event *ev, *evn;
	size_t i;

	if (!tx)
		return;
	for (i = 0; i < tx->ents.nb; i++) {
		for (e = tx->ents.b[i]; e; e = next) {
			struct tx_ent *te = (struct tx_ent *)e;

			next = e->next;
			node_free(te->node);
			free(e->key);
			free(te);
		}
	}
	ht_free(&tx->ents);
	for (ev = tx->events; ev; ev = evn) {
		evn = ev->next;
		free(ev->perms.perms);
		free(ev);
	}
	free(tx);
}

/* ---------------- database access ---------------- */

struct xs_node *db_get(struct xs_tx *tx, const char *path)
{
	struct tx_ent *te;

	if (!tx)
		return (struct xs_node *)ht_find(&store, path);
	te = tx_ent_get(tx, path);
	if (!te) {
		errno = ENOMEM;
		return NULL;
	}
	return te->node;
}

void db_dirty(struct xs_tx *tx, struct xs_node *n)
{
	struct tx_ent *te;

	if (!tx) {
		n->gen = ++last_gen;
		return;
	}
	te = (struct tx_ent *)ht_find(&tx->ents, n->he.key);
	if (te)
		te->dirty = true;
}

struct xs_node *db_create(struct xs_tx *tx, const char *path,
			  const struct xs_perm *perms, uint32_t nperms)
{
	struct xs_node *n = node_new(path);
	struct tx_ent *te;

	if (!n || node_set_perms(n, perms, nperms)) {
		node_free(n);
		return NULL;
	}
	if (!tx) {
		n->gen = ++last_gen;
		ht_insert(&store, &n->he);
		return n;
	}
	te = tx_ent_get(tx, path);
	if (!te) {
		node_free(n);
		return NULL;
	}
	node_free(te->node);
	te->node = n;
	te->dirty = true;
	return n;
}

void db_delete(struct xs_tx *tx, const char *path)
{
	struct xs_node *n;
	struct tx_ent *te;

	if (!tx) {
		n = (struct xs_node *)ht_find(&store, path);
		if (n) {
			ht_remove(&store, &n->he);
			node_free(n);
		}
		return;
	}
	te = tx_ent_get(tx, path);
	if (!te)
		return;
	node_free(te->node);
	te->node = NULL;
	te->dirty = true;
}

void db_init(void)
{
	ht_init(&store);
}

void db_fini(void)
{
	struct ht_ent *e, *next;
	size_t i;

	for (i = 0; i < store.nb; i++) {
		for (e = store.b[i]; e; e = next) {
			next = e->next;
			node_free((struct xs_node *)e);
		}
	}
	ht_free(&store);
}

size_t db_count_owned(uint32_t domid)
{
	struct ht_ent *e;
	size_t i, cnt = 0;

	for (e = ht_first(&store, &i); e; e = ht_next(&store, &i, e)) {
		struct xs_node *n = (struct xs_node *)e;

		if (e->key[0] == '/' && n->nperms && n->perms[0].id == domid)
			cnt++;
	}
	return cnt;
}

void db_forget_domain(uint32_t domid)
{
	struct ht_ent *e;
	size_t i;
	uint32_t j, k;

	for (e = ht_first(&store, &i); e; e = ht_next(&store, &i, e)) {
		struct xs_node *n = (struct xs_node *)e;

		bool changed = false;

		if (!n->nperms)
			continue;
		if (n->perms[0].id == domid) {
			n->perms[0].id = 0;
			changed = true;
		}
		for (j = k = 1; j < n->nperms; j++)
			if (n->perms[j].id != domid)
				n->perms[k++] = n->perms[j];
		if (k != n->nperms)
			changed = true;
		n->nperms = k;
		/* Transactions that saw the old perms must not commit them. */
		if (changed)
			n->gen = ++last_gen;
	}
}

size_t db_count(void)
{
	return store.n;
}

/* ---------------- permissions ---------------- */

unsigned int perm_for(uint32_t domid, const struct xs_node *n)
{
	uint32_t i;

	if (domid == 0 || !n->nperms || n->perms[0].id == domid)
		return XS_PERM_READ | XS_PERM_WRITE | XS_PERM_OWNER;
	for (i = 1; i < n->nperms; i++)
		if (n->perms[i].id == domid)
			return n->perms[i].perm;
	return n->perms[0].perm;
}

bool perm_parse(const char *s, struct xs_perm *p)
{
	char *end;
	unsigned long id;

	switch (s[0]) {
	case 'n':
		p->perm = XS_PERM_NONE;
		break;
	case 'r':
		p->perm = XS_PERM_READ;
		break;
	case 'w':
		p->perm = XS_PERM_WRITE;
		break;
	case 'b':
		p->perm = XS_PERM_READ | XS_PERM_WRITE;
		break;
	default:
		return false;
	}
	if (s[1] < '0' || s[1] > '9')
		return false;
	errno = 0;
	id = strtoul(s + 1, &end, 10);
	if (errno || *end || id > 0xffff)
		return false;
	p->id = id;
	return true;
}

int perm_format(const struct xs_perm *p, char *buf, size_t len)
{
	static const char letters[4] = { 'n', 'r', 'w', 'b' };

	return snprintf(buf, len, "%c%u", letters[p->perm & 3], p->id);
}
