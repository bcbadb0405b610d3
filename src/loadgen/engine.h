/* engine.h - the HTTP/1.1 load generator.
 *
 * One event loop per thread (epoll, edge-triggered, non-blocking sockets),
 * each owning a share of the keep-alive connections, as wrk does. A socket is
 * registered once for input and output; a request is written as soon as a
 * connection is free and EPOLLOUT only matters when a write would block, so a
 * response costs a write and a read (wrk re-arms EPOLLOUT with two epoll_ctl
 * calls per response).
 *
 * Two load models:
 *   closed loop  each connection sends its next request when the previous
 *                response arrives; latency runs from the actual send. A
 *                stalled server stalls the senders, so it hides in the
 *                percentiles (coordinated omission; no correction applied).
 *   open loop    (rate > 0) request k of a thread is scheduled at
 *                t0 + k / rate_thread and goes out on the first free
 *                connection at or after that time; latency runs from the
 *                scheduled time, so waiting for a connection and a stalled
 *                server both count (wrk2's correction, with a shared
 *                per-thread schedule instead of one per connection). The
 *                latency from the actual send and the send lag are kept too.
 *
 * Latencies are recorded in microseconds in per-thread histograms (1 us to
 * 1 h, 3 significant digits) merged when the run ends.
 *
 * Counting: `requests` are responses received completely (any status);
 * requests that fail (connect error, timeout, reset, premature close,
 * protocol error, TLS error) are counted by kind and not in `requests`.
 * Non-2xx responses are both in `requests` and counted in `non2xx`. */
#ifndef HR_BENCH_ENGINE_H
#define HR_BENCH_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util/diag.h"
#include "util/error.h"

struct hist;
struct bench;

/** What is sent, fixed for the life of a struct bench. */
struct bench_target {
	const char *url;             /**< http:// or https:// URL (borrowed) */
	const char *method;          /**< request method; NULL = "GET" */
	const char *const *headers;  /**< "Name: value" lines (borrowed) */
	size_t n_headers;
	const char *body;            /**< request body (borrowed), or NULL */
	size_t body_len;
	bool insecure;               /**< TLS: do not verify the certificate */
};

/** HTTP statuses that count as a success (100-599); bit s - 100 of bits. */
struct bench_status_set {
	uint64_t bits[8];
};

/** The default set: 200-299. */
void bench_status_2xx(struct bench_status_set *s);

/**
 * Parse a comma-separated list of statuses and classes: "2xx,301,404".
 * @param why on failure a static sentence.
 * @return 0; HR_E_INVALID.
 */
HR_NODISCARD int bench_status_parse(const char *text, struct bench_status_set *s, const char **why);

/** Is @p status in the set? */
bool bench_status_has(const struct bench_status_set *s, int status);

/** How one run loads the target. */
struct bench_run_opts {
	unsigned threads;      /**< event loops, >= 1 (capped at connections) */
	unsigned connections;  /**< keep-alive connections in total, >= 1 */
	double duration_s;     /**< stop after this long; 0 = only --requests bounds it */
	uint64_t requests;     /**< stop after this many requests end; 0 = no count */
	double rate;           /**< open loop at this many requests/s in total; 0 = closed loop */
	double timeout_s;      /**< a request (or connect) taking longer fails as a timeout */
	double warmup_s;       /**< responses completing before this are not counted */
	const struct bench_status_set *accept; /**< statuses that succeed (borrowed); NULL = 2xx */
	FILE *latency_log;     /**< borrowed; when set, one line per response (see docs/bench.md) */
	/** Called about every progress_s seconds from the calling thread. */
	void (*progress)(void *arg, double elapsed_s, uint64_t requests, uint64_t errors,
			 double p95_s);
	void *progress_arg;
	double progress_s;
	/** Optional: the CPU seconds used so far by what the run measures besides
	 *  this process (a server's processes, or the whole machine). Read when
	 *  the counted window opens and when the run ends, from the calling
	 *  thread; returns 0, or an error code to give up on the reading. */
	int (*cpu_probe)(void *arg, double *cpu_s);
	void *cpu_probe_arg;
};

/** Kinds of failed requests. */
enum bench_error {
	BENCH_ERR_CONNECT,  /**< connect refused, unreachable or timed out */
	BENCH_ERR_TIMEOUT,  /**< no complete response within the timeout */
	BENCH_ERR_RESET,    /**< the peer reset the connection (ECONNRESET, EPIPE, ...) */
	BENCH_ERR_CLOSED,   /**< the peer closed before the response was complete */
	BENCH_ERR_PROTOCOL, /**< a response that is not HTTP/1.x, or too large a header */
	BENCH_ERR_TLS,      /**< TLS handshake or record failure */
	BENCH_ERR_COUNT
};

/** Names of enum bench_error as the JSON output spells them. */
extern const char *const bench_error_names[BENCH_ERR_COUNT];

/** What a run measured. Free the histograms with bench_result_free(). */
struct bench_result {
	uint64_t requests;         /**< complete responses (in the counted window) */
	uint64_t bytes;            /**< response bytes read (in the counted window) */
	uint64_t bytes_sent;       /**< request bytes written */
	uint64_t errors[BENCH_ERR_COUNT];
	uint64_t non2xx;           /**< responses with a status outside 200-299 */
	uint64_t rejected;         /**< responses with a status outside the accepted set (= non2xx by default) */
	uint64_t status_class[6];  /**< responses by first digit, [1]..[5]; [0] unused */
	uint64_t connects;         /**< connections established */
	uint64_t unfinished;       /**< requests in flight or queued when the run stopped */
	uint64_t scheduled;        /**< open loop: requests due by the end */
	double duration_s;         /**< counted window: from warm-up end to the stop */
	double rate;               /**< open-loop target (0 for closed loop) */
	unsigned threads, connections;
	double cpu_user_s, cpu_sys_s; /**< this process during the run */
	double probe_cpu_s;        /**< cpu_probe's CPU seconds over the counted window (within
	                                20 ms); NAN without a probe or when a reading failed */
	double self_window_cpu_s;  /**< this process's CPU seconds over that same window */
	bool interrupted;          /**< bench_stop() ended it early */
	struct hist *latency;      /**< open loop: from the scheduled time; closed: from the send */
	struct hist *latency_sent; /**< open loop only: from the actual send; else NULL */
	struct hist *send_lag;     /**< open loop only: actual send - scheduled time; else NULL */
};

/**
 * Prepare a target: parse the URL, resolve the host, build the request.
 * @param t what to send (copied; the caller may free it afterwards).
 * @param d where a bad URL or an unresolvable host is reported.
 * @param out the prepared target; free with bench_free().
 * @return 0; HR_E_INVALID (bad URL, method or header); HR_E_UNAVAILABLE (host
 *         not resolved, TLS unavailable).
 */
HR_NODISCARD int bench_new(const struct bench_target *t, struct diag *d, struct bench **out);

/** Release a prepared target. NULL is a no-op. */
void bench_free(struct bench *b);

/**
 * Load the target once.
 * @param b a prepared target; one run at a time.
 * @param o the run's shape; bounded by duration_s or requests (at least one set).
 * @param res the measurement; free with bench_result_free().
 * @return 0 (failed requests are counted, not returned); HR_E_INVALID for
 *         options out of range; -errno when threads or epoll cannot be created.
 */
HR_NODISCARD int bench_run(struct bench *b, const struct bench_run_opts *o, struct bench_result *res);

/** Ask a running bench_run() to stop soon; async-signal-safe. */
void bench_stop(struct bench *b);

/** Release the histograms of a result. NULL is a no-op. */
void bench_result_free(struct bench_result *res);

/** Total failed requests of a result. */
uint64_t bench_result_errors(const struct bench_result *res);

/** The URL's host as parsed (for messages). */
const char *bench_host(const struct bench *b);
/** Does the URL's host resolve to this machine's loopback (127.0.0.0/8, ::1)? */
bool bench_is_loopback(const struct bench *b);

#endif
