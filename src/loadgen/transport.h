/* transport.h - plain TCP or TLS under one small ops table (wrk struct sock,
 * curl lib/vtls). The engine owns the non-blocking socket and the epoll
 * registration; a transport only moves bytes over it.
 *
 * Return convention of every operation: >= 0 done (bytes moved; 0 from read
 * means end of stream), -EAGAIN when the socket would block (the engine waits
 * for the next epoll edge), another -errno for a socket error, HR_E_PROTOCOL
 * for a TLS failure. */
#ifndef HR_BENCH_TRANSPORT_H
#define HR_BENCH_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "util/error.h"

/** Shared settings of a transport (the TLS context); NULL for plain TCP. */
struct transport_ctx;

/** One transport implementation. */
struct transport_ops {
	const char *name;
	/** Start using fd (connected, non-blocking); *state gets per-connection data. */
	int (*attach)(struct transport_ctx *ctx, int fd, const char *host, void **state);
	/** Continue the handshake: 0 when done, -EAGAIN to wait, or an error. */
	int (*handshake)(void *state, int fd);
	/** Read up to n bytes. */
	ssize_t (*read)(void *state, int fd, void *buf, size_t n);
	/** Write up to n bytes. */
	ssize_t (*write)(void *state, int fd, const void *buf, size_t n);
	/** Release per-connection data (the engine closes fd). NULL is a no-op. */
	void (*detach)(void *state);
	/** Reads must go on until -EAGAIN: the transport buffers bytes the
	 *  kernel no longer reports (TLS records), so a short read proves nothing. */
	bool drain_reads;
};

/** Plain TCP: read(2) and send(2) with MSG_NOSIGNAL. */
extern const struct transport_ops transport_plain;
/** TLS through OpenSSL (SNI set, certificate and host checked unless insecure). */
extern const struct transport_ops transport_tls;

/**
 * Create the TLS context shared by all connections and threads.
 * @param verify check the peer's certificate chain and host name.
 * @param out the context; free with transport_ctx_free().
 * @return 0, or HR_E_UNAVAILABLE when OpenSSL cannot set up a context.
 */
HR_NODISCARD int transport_tls_ctx_new(bool verify, struct transport_ctx **out);

/** Release a context. NULL is a no-op. */
void transport_ctx_free(struct transport_ctx *ctx);

#endif
