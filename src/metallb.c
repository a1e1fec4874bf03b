/* metallb.c -- generates the MetalLB objects of --lb-emit-pool: an
 * IPAddressPool (metallb.io/v1beta1, autoAssign true) named by
 * --lb-pool, and an L2Advertisement of the same name that lists that
 * very pool (the guide's example names three different pools). Objects of
 * the same kind, name and namespace already in the stream are kept as they
 * are and not generated again, which also makes a second run a no-op. It
 * only generates when the stream has a docker-mailserver Service, so a
 * release without one does not claim the pool. */
#include "metallb.h"

#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "util.h"
#include "ynode.h"
#include "yscalar.h"

#define METALLB_GROUP "metallb.io"
#define METALLB_API METALLB_GROUP "/v1beta1"

void
metallb_init(struct metallb *m, const struct config *cfg)
{
	memset(m, 0, sizeof(*m));
	m->cfg = cfg;
	m->ns = cfg->metallb_namespace;
}

/* True when sequence SEQ holds exactly the strings of L, in any order. */
static bool
same_set(yaml_document_t *y, int seq, const struct strlist *l)
{
	size_t n = ynode_seq_len(y, seq);
	if (!ynode_is_seq(y, seq) || n != l->n)
		return false;
	for (size_t i = 0; i < l->n; i++)
		if (!ynode_seq_find_scalar(y, seq, l->v[i]))
			return false;
	return true;
}

void
metallb_observe(struct metallb *m, struct doc *d)
{
	const char *pool = m->cfg->lb_pool;
	if (!m->cfg->lb_emit_pool.n)
		return;
	for (size_t i = 0; i < d->nobjects; i++) {
		const struct object *o = &d->objects[i];
		if (gendoc_is(o, METALLB_GROUP, "IPAddressPool", m->ns, pool)) {
			int addrs = ynode_path(&d->y, o->node, "spec.addresses");
			m->pool_seen = true;
			if (!same_set(&d->y, addrs, &m->cfg->lb_emit_pool))
				diag_warn_at(doc_line(d, o->node), "IPAddressPool %s/%s is already in the stream with "
					     "other addresses; it is kept as it is and --lb-emit-pool is not "
					     "applied to it", m->ns, pool);
			else
				diag_note("IPAddressPool %s/%s is already in the stream; not generated again", m->ns,
					  pool);
		} else if (gendoc_is(o, METALLB_GROUP, "L2Advertisement", m->ns, pool)) {
			int pools = ynode_path(&d->y, o->node, "spec.ipAddressPools");
			m->l2_seen = true;
			if (pools && !ynode_seq_find_scalar(&d->y, pools, pool))
				diag_warn_at(doc_line(d, o->node), "L2Advertisement %s/%s is already in the stream but "
					     "does not list the pool %s in spec.ipAddressPools; the pool's addresses "
					     "may not be announced", m->ns, pool, pool);
			else
				diag_note("L2Advertisement %s/%s is already in the stream; not generated again", m->ns,
					  pool);
		}
	}
}

/* "- ADDRESS" lines; an IPv6 address that starts with ':' is quoted, since a
 * plain scalar starting with ':' reads differently in older parsers. */
static void
address_lines(struct buf *b, const struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		bool quote = l->v[i][0] == ':';
		buf_adds(b, quote ? "  - \"" : "  - ");
		buf_adds(b, l->v[i]);
		buf_adds(b, quote ? "\"\n" : "\n");
	}
}

int
metallb_finish(struct metallb *m, struct gendoc_stream *g, struct spool *out)
{
	const char *pool = m->cfg->lb_pool;
	int rc = 0;
	if (!m->cfg->lb_emit_pool.n)
		return 0;
	if (!m->pool_seen) {
		struct buf b = {0};
		buf_adds(&b, "spec:\n  addresses:\n");
		address_lines(&b, &m->cfg->lb_emit_pool);
		buf_adds(&b, "  autoAssign: true\n");
		buf_add(&b, "", 1);
		rc = gendoc_write(g, out, "metallb-ipaddresspool.yaml", METALLB_API, "IPAddressPool", m->ns, pool,
				  b.data);
		buf_free(&b);
		diag_note("generated IPAddressPool %s/%s", m->ns, pool);
	}
	if (rc == 0 && !m->l2_seen) {
		struct buf b = {0};
		buf_adds(&b, "spec:\n  ipAddressPools:\n  - ");
		yscalar_append(&b, pool);
		buf_adds(&b, "\n");
		buf_add(&b, "", 1);
		rc = gendoc_write(g, out, "metallb-l2advertisement.yaml", METALLB_API, "L2Advertisement", m->ns, pool,
				  b.data);
		buf_free(&b);
		diag_note("generated L2Advertisement %s/%s for the pool %s", m->ns, pool, pool);
	}
	return rc;
}
