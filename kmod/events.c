// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmedia: asynchronous events on the "events" multicast group: a latching
 * stream learned its source, a stream went idle.
 */

#include <linux/jiffies.h>
#include <net/genetlink.h>

#include "netlink.h"
#include "stream.h"

/* How often idle streams are looked for while any stream has a timeout. */
#define KMEDIA_IDLE_PERIOD (HZ / 4)

static void kmedia_event_send(struct kmedia_stream *stream, u8 cmd,
			      const struct kmedia_endpoint *src, u32 value,
			      gfp_t gfp)
{
	struct kmedia_net *kn = stream->kn;
	struct sk_buff *msg;
	void *hdr;

	if (!kmedia_nl_has_listeners(kn))
		return;
	msg = genlmsg_new(NLMSG_GOODSIZE, gfp);
	if (!msg)
		goto lost;
	hdr = kmedia_nl_put_hdr(msg, 0, 0, 0, cmd);
	if (!hdr || kmedia_nl_put_stream_event(msg, stream, cmd, src, value)) {
		nlmsg_free(msg);
		goto lost;
	}
	genlmsg_end(msg, hdr);
	/* A subscriber that missed it gets ENOBUFS; operators see the count. */
	if (kmedia_nl_multicast(kn, msg, gfp) != -ENOBUFS)
		return;
lost:
	kmedia_ctrs_inc(kn->ctrs, KMEDIA_NET_EVENTS_LOST);
}

/* Packet path (softirq): the first packet of a latching stream. */
void kmedia_event_latch(struct kmedia_stream *stream,
			const struct kmedia_endpoint *src)
{
	kmedia_event_send(stream, KMEDIA_CMD_STREAM_LATCH_NTF, src, 0,
			  GFP_ATOMIC);
}

/* Packet path (softirq): a burst of SRTP authentication failures. */
void kmedia_event_srtp_fail(struct kmedia_stream *stream, u32 failures)
{
	kmedia_event_send(stream, KMEDIA_CMD_STREAM_SRTP_FAIL_NTF, NULL,
			  failures, GFP_ATOMIC);
}

void kmedia_idle_arm(struct kmedia_net *kn)
{
	lockdep_assert_held(&kn->lock);
	if (!kn->dying)
		queue_delayed_work(system_wq, &kn->idle_work, KMEDIA_IDLE_PERIOD);
}

/*
 * Report each stream whose idle timeout passed, once: the packet path
 * clears idle_reported when traffic resumes.
 */
void kmedia_idle_work(struct work_struct *work)
{
	struct kmedia_net *kn = container_of(to_delayed_work(work),
					     struct kmedia_net, idle_work);
	struct kmedia_stream *stream;
	unsigned long now;

	mutex_lock(&kn->lock);
	now = jiffies;
	list_for_each_entry(stream, &kn->idle_streams, idle_node) {
		unsigned long last = READ_ONCE(stream->last_rx);

		if (READ_ONCE(stream->idle_reported) ||
		    time_before(now, last + stream->idle_timeout))
			continue;
		WRITE_ONCE(stream->idle_reported, true);
		kmedia_event_send(stream, KMEDIA_CMD_STREAM_IDLE_NTF, NULL,
				  jiffies_to_msecs(now - last), GFP_KERNEL);
	}
	if (!list_empty(&kn->idle_streams))
		kmedia_idle_arm(kn);
	mutex_unlock(&kn->lock);
}
