// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmedia: stream table and lifetime.
 *
 * A stream is published in two places: the namespace's ID table (for
 * netlink) and its ingress socket's per-kind slot (for the packet path).
 * Writers hold kn->lock; the packet path only dereferences the socket slot
 * and the stream's configuration under RCU, so removal unpublishes both and
 * frees after a grace period. What a change may touch lives in a separate
 * configuration object that is replaced whole.
 */

#include <linux/slab.h>
#include <net/netlink.h>

#include "socket.h"
#include "stream.h"

#define KMEDIA_DEFAULT_CLOCK_RATE 8000

/* Slabs of their own: objects packed at their size, not kmalloc's. */
static struct kmem_cache *kmedia_stream_cache __read_mostly;
static struct kmem_cache *kmedia_cfg_cache __read_mostly;

int kmedia_stream_cache_init(void)
{
	kmedia_stream_cache = KMEM_CACHE(kmedia_stream, 0);
	kmedia_cfg_cache = KMEM_CACHE(kmedia_stream_cfg, 0);
	if (!kmedia_stream_cache || !kmedia_cfg_cache) {
		kmedia_stream_cache_exit();
		return -ENOMEM;
	}
	return 0;
}

/* After rcu_barrier(): streams are freed after a grace period. */
void kmedia_stream_cache_exit(void)
{
	kmem_cache_destroy(kmedia_cfg_cache);
	kmem_cache_destroy(kmedia_stream_cache);
}

struct kmedia_stream *kmedia_stream_find(struct kmedia_net *kn, u32 id)
{
	lockdep_assert_held(&kn->lock);
	return xa_load(&kn->streams, id);
}

const u8 kmedia_stream_ctr_attr[__KMEDIA_STREAM_CTR_MAX] = {
	[KMEDIA_STREAM_RX_PACKETS] = KMEDIA_STATS_A_RX_PACKETS,
	[KMEDIA_STREAM_RX_BYTES] = KMEDIA_STATS_A_RX_BYTES,
	[KMEDIA_STREAM_TX_PACKETS] = KMEDIA_STATS_A_TX_PACKETS,
	[KMEDIA_STREAM_TX_BYTES] = KMEDIA_STATS_A_TX_BYTES,
	[KMEDIA_STREAM_DROP_PT] = KMEDIA_STATS_A_DROP_PT,
	[KMEDIA_STREAM_DROP_ROUTE] = KMEDIA_STATS_A_DROP_ROUTE,
	[KMEDIA_STREAM_DROP_XMIT] = KMEDIA_STATS_A_DROP_XMIT,
	[KMEDIA_STREAM_DROP_SRTP_AUTH] = KMEDIA_STATS_A_DROP_SRTP_AUTH,
	[KMEDIA_STREAM_DROP_SRTP_REPLAY] = KMEDIA_STATS_A_DROP_SRTP_REPLAY,
	[KMEDIA_STREAM_DROP_SRTP_SHORT] = KMEDIA_STATS_A_DROP_SRTP_SHORT,
	[KMEDIA_STREAM_DROP_SRTP_MKI] = KMEDIA_STATS_A_DROP_SRTP_MKI,
	[KMEDIA_STREAM_DROP_SRTP_PROTECT] = KMEDIA_STATS_A_DROP_SRTP_PROTECT,
};

/* kmedia_net_ctr_of() relies on the two lists starting alike. */
static_assert((int)KMEDIA_NET_RX_PACKETS == (int)KMEDIA_STREAM_RX_PACKETS);
static_assert((int)KMEDIA_NET_DROP_SRTP_PROTECT ==
	      (int)KMEDIA_STREAM_DROP_SRTP_PROTECT);

static void kmedia_cfg_free(struct kmedia_stream_cfg *cfg)
{
	kmedia_srtp_put(cfg->srtp_in);
	kmedia_srtp_put(cfg->srtp_out);
	kmedia_route_cache_destroy(&cfg->route);
	kmedia_sock_put(cfg->sock_out);
	kmem_cache_free(kmedia_cfg_cache, cfg);
	atomic_dec(&kmedia_live_objects);
}

static void kmedia_cfg_free_rcu(struct rcu_head *head)
{
	kmedia_cfg_free(container_of(head, struct kmedia_stream_cfg, rcu));
}

static void kmedia_stream_free_rcu(struct rcu_head *head)
{
	struct kmedia_stream *stream = container_of(head, struct kmedia_stream, rcu);

	kmedia_cfg_free(rcu_dereference_protected(stream->cfg, true));
	kmedia_sock_put(stream->sock_in);
	kmem_cache_free(kmedia_stream_cache, stream);
	atomic_dec(&kmedia_live_objects);
}

/*
 * Build the configuration a request asks for, starting from the current
 * one (@old, NULL on create). Validation that needs both the request and
 * the result happens here, so create and change share it.
 */
/*
 * The crypto context a request asks for: a new one for a nest (none for
 * suite NONE), else the current one, shared. Returns NULL for plain.
 */
static struct kmedia_srtp *kmedia_cfg_srtp(struct kmedia_srtp *cur, bool given,
					   const struct kmedia_srtp_params *p,
					   bool rtcp, struct netlink_ext_ack *extack)
{
	if (!given) {
		if (cur)
			kmedia_srtp_get(cur);
		return cur;
	}
	if (p->suite == KMEDIA_SRTP_NONE)
		return NULL;
	return kmedia_srtp_create(p, rtcp, extack);
}

static struct kmedia_stream_cfg *
kmedia_cfg_build(const struct kmedia_stream_cfg *old,
		 const struct kmedia_stream_params *p,
		 struct netlink_ext_ack *extack)
{
	bool rtcp = p->kind == KMEDIA_KIND_RTCP;
	struct kmedia_stream_cfg *cfg;
	int err;

	cfg = kmem_cache_zalloc(kmedia_cfg_cache, GFP_KERNEL);
	if (!cfg)
		return ERR_PTR(-ENOMEM);
	cfg->srtp_in = kmedia_cfg_srtp(old ? old->srtp_in : NULL,
				       KMEDIA_HAS(p, KMEDIA_STREAM_A_SRTP_IN),
				       &p->srtp_in, rtcp, extack);
	if (IS_ERR(cfg->srtp_in)) {
		err = PTR_ERR(cfg->srtp_in);
		cfg->srtp_in = NULL;
		goto err;
	}
	cfg->srtp_out = kmedia_cfg_srtp(old ? old->srtp_out : NULL,
					KMEDIA_HAS(p, KMEDIA_STREAM_A_SRTP_OUT),
					&p->srtp_out, rtcp, extack);
	if (IS_ERR(cfg->srtp_out)) {
		err = PTR_ERR(cfg->srtp_out);
		cfg->srtp_out = NULL;
		goto err;
	}

	if (old) {
		cfg->sock_out = old->sock_out;
		cfg->dst = old->dst;
		cfg->src_mode = old->src_mode;
		cfg->dscp_set = old->dscp_set;
		cfg->dscp = old->dscp;
		cfg->pt_filter = old->pt_filter;
		bitmap_copy(cfg->pt_allow, old->pt_allow, KMEDIA_PT_COUNT);
		if (old->src_mode == KMEDIA_SRC_STRICT) {
			cfg->src = old->src;
		} else if (old->src_mode == KMEDIA_SRC_LATCH &&
			   /* pairs with the release in kmedia_latch() */
			   smp_load_acquire(&old->latched)) {
			/* keep what was learned unless asked to re-latch */
			cfg->src = old->src;
			cfg->latch_claimed = 1;
			cfg->latched = true;
		}
	}

	if (KMEDIA_HAS(p, KMEDIA_STREAM_A_SOCK_OUT))
		cfg->sock_out = p->sock_out;
	if (KMEDIA_HAS(p, KMEDIA_STREAM_A_DST))
		cfg->dst = p->dst;
	if (KMEDIA_HAS(p, KMEDIA_STREAM_A_SRC_MODE)) {
		cfg->src_mode = p->src_mode;
		cfg->latch_claimed = 0;
		cfg->latched = false;
		memset(&cfg->src, 0, sizeof(cfg->src));
	}
	if (KMEDIA_HAS(p, KMEDIA_STREAM_A_SRC)) {
		if (cfg->src_mode != KMEDIA_SRC_STRICT) {
			NL_SET_ERR_MSG(extack, "stream.src: only meaningful with src-mode strict");
			err = -EINVAL;
			goto err;
		}
		cfg->src = p->src;
	}
	if (cfg->src_mode == KMEDIA_SRC_STRICT && !cfg->src.family) {
		NL_SET_ERR_MSG(extack, "stream.src: src-mode strict needs a source");
		err = -EINVAL;
		goto err;
	}
	if (cfg->src_mode == KMEDIA_SRC_STRICT &&
	    cfg->src.family != p->sock_in->local.family) {
		NL_SET_ERR_MSG(extack, "stream.src: family differs from the ingress socket's");
		err = -EAFNOSUPPORT;
		goto err;
	}
	if (KMEDIA_HAS(p, KMEDIA_STREAM_A_PT_ALLOW)) {
		cfg->pt_filter = true;
		bitmap_copy(cfg->pt_allow, p->pt_allow, KMEDIA_PT_COUNT);
	}
	if (KMEDIA_HAS(p, KMEDIA_STREAM_A_DSCP)) {
		cfg->dscp_set = true;
		cfg->dscp = p->dscp;
	}

	if (!cfg->sock_out) {
		NL_SET_ERR_MSG(extack, "stream.sock-out: egress socket missing");
		err = -EINVAL;
		goto err;
	}
	if (!cfg->dst.family) {
		NL_SET_ERR_MSG(extack, "stream.dst: destination missing");
		err = -EINVAL;
		goto err;
	}
	if (cfg->dst.family != cfg->sock_out->local.family) {
		NL_SET_ERR_MSG(extack, "stream.dst: family differs from the egress socket's");
		err = -EAFNOSUPPORT;
		goto err;
	}
	kmedia_sock_get(cfg->sock_out);
	atomic_inc(&kmedia_live_objects);
	return cfg;

err:
	kmedia_srtp_put(cfg->srtp_in);
	kmedia_srtp_put(cfg->srtp_out);
	kmem_cache_free(kmedia_cfg_cache, cfg);
	return ERR_PTR(err);
}

static void kmedia_stream_set_idle(struct kmedia_stream *stream, u32 msecs)
{
	struct kmedia_net *kn = stream->kn;
	bool was = stream->idle_timeout;

	stream->idle_timeout = msecs ? max(msecs_to_jiffies(msecs), 1UL) : 0;
	if (was && !stream->idle_timeout)
		list_del(&stream->idle_node);
	if (!was && stream->idle_timeout) {
		list_add_tail(&stream->idle_node, &kn->idle_streams);
		kmedia_idle_arm(kn);
	}
	WRITE_ONCE(stream->idle_reported, false);
}

struct kmedia_stream *kmedia_stream_create(struct kmedia_net *kn,
					   const struct kmedia_stream_params *p,
					   struct netlink_ext_ack *extack)
{
	struct kmedia_sock *sock_in = p->sock_in;
	struct kmedia_stream_cfg *cfg;
	struct kmedia_stream *stream;
	int err;

	lockdep_assert_held(&kn->lock);

	if (kn->n_streams >= READ_ONCE(kmedia_max_streams)) {
		NL_SET_ERR_MSG(extack, "stream: max_streams reached in this namespace");
		return ERR_PTR(-ENOSPC);
	}
	if (rcu_access_pointer(sock_in->streams[p->kind])) {
		NL_SET_ERR_MSG(extack, "stream.sock-in: already has a stream of this kind");
		return ERR_PTR(-EEXIST);
	}

	stream = kmem_cache_zalloc(kmedia_stream_cache, GFP_KERNEL);
	if (!stream)
		return ERR_PTR(-ENOMEM);
	cfg = kmedia_cfg_build(NULL, p, extack);
	if (IS_ERR(cfg)) {
		err = PTR_ERR(cfg);
		goto err_free;
	}

	stream->kn = kn;
	stream->kind = p->kind;
	stream->cookie = p->cookie;
	stream->clock_rate = KMEDIA_HAS(p, KMEDIA_STREAM_A_CLOCK_RATE) ?
			     p->clock_rate : KMEDIA_DEFAULT_CLOCK_RATE;
	stream->last_rx = jiffies;
	stream->sock_in = sock_in;
	RCU_INIT_POINTER(stream->cfg, cfg);

	err = xa_alloc_cyclic(&kn->streams, &stream->id, stream,
			      XA_LIMIT(1, INT_MAX), &kn->next_stream_id,
			      GFP_KERNEL);
	if (err < 0) {
		kmedia_cfg_free(cfg);
		goto err_free;
	}

	kmedia_sock_get(sock_in);
	atomic_inc(&kmedia_live_objects);
	list_add_tail(&stream->in_node, &sock_in->streams_in);
	list_add_tail(&stream->out_node, &cfg->sock_out->streams_out);
	sock_in->n_streams++;
	cfg->sock_out->n_streams++;
	kn->n_streams++;
	kn->gen++;
	if (KMEDIA_HAS(p, KMEDIA_STREAM_A_IDLE_TIMEOUT))
		kmedia_stream_set_idle(stream, p->idle_timeout_ms);

	/* Last: from here on packets reach the stream. */
	rcu_assign_pointer(sock_in->streams[p->kind], stream);
	return stream;

err_free:
	kmem_cache_free(kmedia_stream_cache, stream);
	return ERR_PTR(err);
}

int kmedia_stream_change(struct kmedia_stream *stream,
			 const struct kmedia_stream_params *p,
			 struct netlink_ext_ack *extack)
{
	struct kmedia_net *kn = stream->kn;
	struct kmedia_stream_cfg *old, *cfg;

	lockdep_assert_held(&kn->lock);

	old = rcu_dereference_protected(stream->cfg, lockdep_is_held(&kn->lock));
	cfg = kmedia_cfg_build(old, p, extack);
	if (IS_ERR(cfg))
		return PTR_ERR(cfg);

	if (cfg->sock_out != old->sock_out) {
		list_move_tail(&stream->out_node, &cfg->sock_out->streams_out);
		old->sock_out->n_streams--;
		cfg->sock_out->n_streams++;
	}
	if (KMEDIA_HAS(p, KMEDIA_STREAM_A_COOKIE))
		WRITE_ONCE(stream->cookie, p->cookie);
	if (KMEDIA_HAS(p, KMEDIA_STREAM_A_CLOCK_RATE))
		WRITE_ONCE(stream->clock_rate, p->clock_rate);
	if (KMEDIA_HAS(p, KMEDIA_STREAM_A_IDLE_TIMEOUT))
		kmedia_stream_set_idle(stream, p->idle_timeout_ms);

	rcu_assign_pointer(stream->cfg, cfg);
	call_rcu(&old->rcu, kmedia_cfg_free_rcu);
	kn->gen++;
	return 0;
}

/**
 * kmedia_stream_remove - unpublish a stream and free it after a grace period
 * @stream: the stream, published
 */
void kmedia_stream_remove(struct kmedia_stream *stream)
{
	struct kmedia_net *kn = stream->kn;
	struct kmedia_stream_cfg *cfg;

	lockdep_assert_held(&kn->lock);

	cfg = rcu_dereference_protected(stream->cfg, lockdep_is_held(&kn->lock));
	RCU_INIT_POINTER(stream->sock_in->streams[stream->kind], NULL);
	xa_erase(&kn->streams, stream->id);
	list_del(&stream->in_node);
	list_del(&stream->out_node);
	stream->sock_in->n_streams--;
	cfg->sock_out->n_streams--;
	if (stream->idle_timeout)
		list_del(&stream->idle_node);
	kn->n_streams--;
	kn->gen++;
	call_rcu(&stream->rcu, kmedia_stream_free_rcu);
}
