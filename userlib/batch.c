// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libkmedia batches: many stream requests sent in few datagrams.
 *
 * The kernel's netlink_rcv_skb() walks every message of a datagram in
 * order and handles each one on its own: a failure is reported for that
 * message (an NLMSG_ERROR with its sequence number and extended ACK) and
 * the walk goes on with the next one. Generic netlink does this in the
 * sender's sendmsg(), so once it returns every answer is queued on the
 * socket. A batch uses that: requests are built into one buffer, each
 * chunk of them goes out in a single sendmsg(), and the answers are read
 * back with recvmmsg() and matched to their request by sequence number.
 *
 * Only the last request of a chunk asks for an ACK. A NEW is answered by
 * the new stream's ID (or an error); a CHANGE or DEL that worked is
 * answered by nothing at all, and one that failed by its error. Since the
 * answers arrive in request order, the ACK of the last request closes the
 * chunk: any request before it that got no error worked. This halves what
 * the kernel queues for a batch of NEWs and leaves one message for a
 * whole chunk of DELs.
 *
 * A chunk is as long as the socket's receive buffer can hold its answers:
 * the kernel drops an answer that does not fit (the socket reports
 * ENOBUFS on its next read), and a dropped answer leaves a request's
 * outcome unknown. NETLINK_NO_ENOBUFS is therefore never set on a handle
 * that carries batches: an overrun must be seen, not hidden.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <sodium.h>

#include "internal.h"

/*
 * The receive buffer a batch asks for. The kernel doubles the value and
 * charges each queued answer with its buffer's true size: measured with
 * SO_MEMINFO, a NEW's answer (the stream's ID) and an error with its
 * extended ACK both take 768 bytes on 6.1 and 960 on 6.12. 1 MiB thus
 * holds the answers of 768 requests at KMD_BATCH_ANSWER_COST with a
 * quarter of the buffer to spare. SO_RCVBUFFORCE (CAP_NET_ADMIN) is tried
 * first; SO_RCVBUF is capped by net.core.rmem_max, 208 KiB by default,
 * which still makes chunks of 156 requests.
 */
#define KMD_BATCH_RCVBUF (1 << 20)

/* Receive buffer charged per request of a chunk: more than any answer
 * was measured to cost, for kernels whose buffers are larger.
 */
#define KMD_BATCH_ANSWER_COST 2048

/* The largest datagram sent: bounded by the socket's send buffer too. */
#define KMD_BATCH_SEND_MAX (128 * 1024)

/* Datagrams read per recvmmsg(). */
#define KMD_BATCH_RECV_VLEN 32

/* No more requests in one batch: indexes are ints. */
#define KMD_BATCH_ITEMS_MAX (1 << 24)

/* Where an item is: queued, sent and waiting for its answer, or done. */
enum {
	KMD_BATCH_QUEUED,
	KMD_BATCH_WAITING,
	KMD_BATCH_DONE,
};

static int batch_socket_size(int fd, int name)
{
	socklen_t len;
	int val;

	len = sizeof(val);
	if (getsockopt(fd, SOL_SOCKET, name, &val, &len) < 0)
		return 0;
	return val;
}

/* Size chunks after the socket: see KMD_BATCH_RCVBUF. */
static void batch_size_chunks(struct kmedia_batch *b)
{
	int fd = mnl_socket_get_fd(b->h->nl);
	int want = KMD_BATCH_RCVBUF;
	int rcvbuf, sndbuf;

	if (batch_socket_size(fd, SO_RCVBUF) < 2 * want &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &want, sizeof(want)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &want, sizeof(want));
	rcvbuf = batch_socket_size(fd, SO_RCVBUF);
	sndbuf = batch_socket_size(fd, SO_SNDBUF);

	/* A quarter of the buffer is left for what else may be queued. */
	b->chunk_items = rcvbuf / 4 * 3 / KMD_BATCH_ANSWER_COST;
	if (!b->chunk_items)
		b->chunk_items = 1;
	/* netlink_sendmsg() refuses more than the send buffer less 32. */
	b->chunk_bytes = KMD_BATCH_SEND_MAX;
	if (sndbuf > 32 && (size_t)sndbuf - 32 < b->chunk_bytes)
		b->chunk_bytes = sndbuf - 32;
}

struct kmedia_batch *kmedia_batch_alloc(struct kmedia_handle *h)
{
	struct kmedia_batch *b;

	b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	b->h = h;
	b->recv_len = MNL_SOCKET_BUFFER_SIZE;
	b->recv = calloc(KMD_BATCH_RECV_VLEN, b->recv_len);
	if (!b->recv) {
		free(b);
		return NULL;
	}
	batch_size_chunks(b);
	return b;
}

/* Wipe what was queued (it may hold SRTP keys) and forget the items. */
void kmedia_batch_reset(struct kmedia_batch *b)
{
	unsigned int i;

	if (!b)
		return;
	sodium_memzero(b->buf, b->used);
	b->used = 0;
	for (i = 0; i < b->n; i++)
		free(b->items[i].extack);
	b->n = 0;
	b->sent = 0;
	b->secret = false;
}

void kmedia_batch_free(struct kmedia_batch *b)
{
	if (!b)
		return;
	kmedia_batch_reset(b);
	free(b->buf);
	free(b->items);
	sodium_memzero(b->recv, KMD_BATCH_RECV_VLEN * b->recv_len);
	free(b->recv);
	free(b);
}

unsigned int kmedia_batch_count(const struct kmedia_batch *b)
{
	return b->n;
}

/*
 * Room for one more request of up to MNL_SOCKET_BUFFER_SIZE bytes, the
 * most any single request may take. The buffer is never realloc()ed: that
 * could leave a copy of SRTP keys behind in freed memory. Bytes past
 * b->used are always zero (libmnl does not clear attribute padding).
 */
struct nlmsghdr *kmd_batch_next(struct kmedia_batch *b)
{
	size_t need = b->used + MNL_SOCKET_BUFFER_SIZE;
	struct kmd_batch_item *items;
	size_t size;
	char *buf;

	if (b->n >= KMD_BATCH_ITEMS_MAX)
		return NULL;
	if (b->n == b->items_cap) {
		size = b->items_cap ? 2 * b->items_cap : 64;
		items = reallocarray(b->items, size, sizeof(*items));
		if (!items)
			return NULL;
		b->items = items;
		b->items_cap = size;
	}
	if (need > b->size) {
		size = b->size ? 2 * b->size :
				 16 * (size_t)MNL_SOCKET_BUFFER_SIZE;
		while (size < need)
			size *= 2;
		buf = calloc(1, size);
		if (!buf)
			return NULL;
		if (b->buf) {
			memcpy(buf, b->buf, b->used);
			sodium_memzero(b->buf, b->used);
			free(b->buf);
		}
		b->buf = buf;
		b->size = size;
	}
	return (struct nlmsghdr *)(b->buf + b->used);
}

/*
 * Queue the request just built at kmd_batch_next(): its sequence number
 * and ACK flag are set when it is sent. Returns its index.
 */
int kmd_batch_add(struct kmedia_batch *b, struct nlmsghdr *nlh,
		  enum kmd_batch_answer answer, bool secret)
{
	struct kmd_batch_item *it = &b->items[b->n];

	memset(it, 0, sizeof(*it));
	it->off = b->used;
	it->answer = answer;
	it->state = KMD_BATCH_QUEUED;
	it->result = -ECANCELED;
	b->used += NLMSG_ALIGN(nlh->nlmsg_len);
	b->secret |= secret;
	return b->n++;
}

static bool stream_secret(const struct kmedia_stream *stream)
{
	return (kmedia_stream_has(stream, KMEDIA_STREAM_A_SRTP_IN) &&
		kmd_srtp_sendable(&stream->srtp_in)) ||
	       (kmedia_stream_has(stream, KMEDIA_STREAM_A_SRTP_OUT) &&
		kmd_srtp_sendable(&stream->srtp_out));
}

int kmedia_batch_stream_new(struct kmedia_batch *b,
			    const struct kmedia_stream *stream)
{
	struct nlmsghdr *nlh = kmd_batch_next(b);

	if (!nlh)
		return -ENOMEM;
	kmd_stream_new_msg(b->h, nlh, stream);
	return kmd_batch_add(b, nlh, KMD_BATCH_STREAM, stream_secret(stream));
}

int kmedia_batch_stream_change(struct kmedia_batch *b,
			       const struct kmedia_stream *stream)
{
	struct nlmsghdr *nlh;

	if (!kmedia_stream_has(stream, KMEDIA_STREAM_A_ID))
		return -EINVAL;
	nlh = kmd_batch_next(b);
	if (!nlh)
		return -ENOMEM;
	kmd_stream_change_msg(b->h, nlh, stream);
	return kmd_batch_add(b, nlh, KMD_BATCH_NOTHING, stream_secret(stream));
}

int kmedia_batch_stream_del(struct kmedia_batch *b, uint32_t id)
{
	struct nlmsghdr *nlh = kmd_batch_next(b);

	if (!nlh)
		return -ENOMEM;
	kmd_stream_id_msg(b->h, nlh, KMEDIA_CMD_STREAM_DEL, id);
	return kmd_batch_add(b, nlh, KMD_BATCH_NOTHING, false);
}

/*
 * The chunk that starts at item first: as many items as the receive
 * buffer can answer and a datagram can carry (the first one always).
 * Returns the index past its last item and its size in *bytesp.
 */
static unsigned int batch_chunk_end(const struct kmedia_batch *b,
				    unsigned int first, size_t *bytesp)
{
	size_t start = b->items[first].off, end;
	unsigned int i;

	for (i = first + 1; i < b->n && i - first < b->chunk_items; i++) {
		end = i + 1 < b->n ? b->items[i + 1].off : b->used;
		if (end - start > b->chunk_bytes)
			break;
	}
	*bytesp = (i < b->n ? b->items[i].off : b->used) - start;
	return i;
}

static void batch_fail(struct kmedia_batch *b, struct kmd_batch_item *it,
		       int error, const char *extack)
{
	it->state = KMD_BATCH_DONE;
	it->result = error;
	b->failed++;
	if (!extack[0])
		return;
	/* Best effort: without memory the item has no extack of its own. */
	it->extack = strdup(extack);
	if (!b->h->extack[0])
		memcpy(b->h->extack, extack, sizeof(b->h->extack));
}

/*
 * One message read back during chunk [first, first + count) whose
 * sequence numbers start at seq0. Returns true once the chunk is closed.
 */
static bool batch_answer(struct kmedia_batch *b, const struct nlmsghdr *nlh,
			 unsigned int first, unsigned int count, uint32_t seq0)
{
	uint32_t idx = nlh->nlmsg_seq - seq0;
	struct kmd_batch_item *it;
	char extack[KMD_EXTACK_MAX];
	int error;

	/* Not ours: an event (sequence 0, port 0) or a stale answer. */
	if (nlh->nlmsg_pid != b->h->portid || idx >= count)
		return false;
	it = &b->items[first + idx];
	if (it->state != KMD_BATCH_WAITING)
		return idx == count - 1 && nlh->nlmsg_type == NLMSG_ERROR;

	if (nlh->nlmsg_type == NLMSG_ERROR) {
		error = kmd_parse_error(nlh, extack, sizeof(extack));
		if (error) {
			batch_fail(b, it, error, extack);
		} else if (it->answer == KMD_BATCH_STREAM) {
			/* The ACK came without the stream. */
			batch_fail(b, it, -EBADMSG, "");
		} else {
			it->state = KMD_BATCH_DONE;
			it->result = 0;
		}
		return idx == count - 1;
	}
	if (nlh->nlmsg_type == b->h->family_id &&
	    it->answer == KMD_BATCH_STREAM) {
		error = kmd_stream_id_parse(nlh, &it->id);
		if (error) {
			batch_fail(b, it, error, "");
		} else {
			it->state = KMD_BATCH_DONE;
			it->result = 0;
		}
	}
	return false;
}

/*
 * Read answers to the chunk until the ACK of its last request. Every
 * datagram must come from the kernel, as in kmd_recv(). The kernel ran
 * the chunk inside sendmsg(), so every answer is already queued: reads
 * never wait, and a chunk the queue cannot close ends in an error rather
 * than a hang. Returns 0, or -errno if an answer may be missing: -ENOBUFS
 * if the kernel dropped some (what is still queued is read on, so that it
 * is neither lost nor taken for the answer of a later request), -EMSGSIZE
 * if one was too long to read, -EPROTO if the kernel left a request
 * unanswered, or an error of recvmmsg().
 */
static int batch_collect(struct kmedia_batch *b, unsigned int first,
			 unsigned int count, uint32_t seq0)
{
	struct mmsghdr msgs[KMD_BATCH_RECV_VLEN];
	struct iovec iov[KMD_BATCH_RECV_VLEN];
	struct sockaddr_nl addr[KMD_BATCH_RECV_VLEN];
	int fd = mnl_socket_get_fd(b->h->nl);
	int err = 0;
	const struct nlmsghdr *nlh;
	bool closed = false;
	int i, n, len;

	while (!closed) {
		for (i = 0; i < KMD_BATCH_RECV_VLEN; i++) {
			iov[i].iov_base = b->recv + i * b->recv_len;
			iov[i].iov_len = b->recv_len;
			memset(&msgs[i], 0, sizeof(msgs[i]));
			msgs[i].msg_hdr.msg_name = &addr[i];
			msgs[i].msg_hdr.msg_namelen = sizeof(addr[i]);
			msgs[i].msg_hdr.msg_iov = &iov[i];
			msgs[i].msg_hdr.msg_iovlen = 1;
		}
		n = recvmmsg(fd, msgs, KMD_BATCH_RECV_VLEN, MSG_DONTWAIT, NULL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == ENOBUFS && !err) {
			err = -ENOBUFS;
			continue;
		}
		if (n < 0 && errno == EAGAIN)
			return err ? err : -EPROTO;
		if (n < 0)
			return err ? err : -errno;
		for (i = 0; i < n; i++) {
			if (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) {
				err = err ? err : -EMSGSIZE;
				continue;
			}
			if (msgs[i].msg_hdr.msg_namelen != sizeof(addr[i]) ||
			    addr[i].nl_family != AF_NETLINK ||
			    addr[i].nl_pid != 0)
				continue;
			len = msgs[i].msg_len;
			nlh = iov[i].iov_base;
			for (; mnl_nlmsg_ok(nlh, len);
			     nlh = mnl_nlmsg_next(nlh, &len))
				closed |= batch_answer(b, nlh, first, count,
						       seq0);
		}
	}
	return err;
}

/*
 * Send chunk [first, end) and read its answers. Returns 0 or -errno, with
 * the requests whose outcome is unknown failed with it.
 */
static int batch_send_chunk(struct kmedia_batch *b, unsigned int first,
			    unsigned int end, size_t bytes)
{
	struct kmedia_handle *h = b->h;
	unsigned int count = end - first, i;
	struct nlmsghdr *nlh = NULL;
	uint32_t seq0;
	int err = 0;

	/* Sequence numbers of a chunk are consecutive and never 0, the
	 * sequence number of events.
	 */
	if (h->seq + count < h->seq)
		h->seq = 0;
	seq0 = h->seq + 1;
	for (i = first; i < end; i++) {
		nlh = (struct nlmsghdr *)(b->buf + b->items[i].off);
		nlh->nlmsg_seq = ++h->seq;
		nlh->nlmsg_flags &= ~NLM_F_ACK;
		b->items[i].state = KMD_BATCH_WAITING;
	}
	nlh->nlmsg_flags |= NLM_F_ACK;

	/* A failed send delivered nothing: the requests did not run. */
	if (mnl_socket_sendto(h->nl, b->buf + b->items[first].off, bytes) < 0)
		err = -errno;
	else
		err = batch_collect(b, first, count, seq0);
	for (i = first; i < end; i++) {
		struct kmd_batch_item *it = &b->items[i];

		if (it->state != KMD_BATCH_WAITING)
			continue;
		/* Closed by the last ACK: whoever got no error worked. */
		if (err || it->answer == KMD_BATCH_STREAM) {
			batch_fail(b, it, err ? err : -EBADMSG, "");
		} else {
			it->state = KMD_BATCH_DONE;
			it->result = 0;
		}
	}
	return err;
}

int kmedia_batch_send(struct kmedia_batch *b)
{
	unsigned int end;
	size_t bytes;
	int err = 0;

	b->h->extack[0] = '\0';
	b->failed = 0;
	for (; b->sent < b->n && !err; b->sent = end) {
		end = batch_chunk_end(b, b->sent, &bytes);
		err = batch_send_chunk(b, b->sent, end, bytes);
	}
	/* An ACK echoes its request on kernels without NETLINK_CAP_ACK. */
	if (b->secret) {
		sodium_memzero(b->recv, KMD_BATCH_RECV_VLEN * b->recv_len);
		sodium_memzero(b->h->buf, MNL_SOCKET_BUFFER_SIZE);
	}
	return err ? err : (int)b->failed;
}

int kmedia_batch_result(const struct kmedia_batch *b, unsigned int i)
{
	if (i >= b->n)
		return -EINVAL;
	return b->items[i].result;
}

uint32_t kmedia_batch_stream_id(const struct kmedia_batch *b, unsigned int i)
{
	if (i >= b->n || b->items[i].result)
		return 0;
	return b->items[i].id;
}

const char *kmedia_batch_extack(const struct kmedia_batch *b, unsigned int i)
{
	if (i >= b->n)
		return NULL;
	return b->items[i].extack;
}
