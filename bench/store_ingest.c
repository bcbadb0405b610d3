/* bench/store_ingest.c - figures for bench/store.sh (not a test):
 *   ingest: batches of N metrics appended to a fresh store, samples/s;
 *   eval:   every default trigger replayed over 30 days of 10 s samples
 *           read from the store, plus a forecast fit, wall time.
 * Usage: store_ingest DIR [BATCHES] [METRICS] */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model/forecast.h"
#include "model/rules.h"
#include "store/store.h"
#include "util/xalloc.h"

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: store_ingest DIR [BATCHES] [METRICS]\n");
		return 2;
	}
	long batches = argc > 2 ? strtol(argv[2], NULL, 10) : 20000;
	long metrics = argc > 3 ? strtol(argv[3], NULL, 10) : 40;
	struct diag d;
	diag_init_file(&d, stderr, "bench");

	// 1. Ingest.
	char *path = xasprintf("%s/ingest.db", argv[1]);
	remove(path);
	struct store *st;
	if (store_open(path, STORE_CREATE, &d, &st) != 0)
		return 1;
	char **names = xcalloc((size_t)metrics, sizeof(char *));
	for (long i = 0; i < metrics; i++)
		names[i] = xasprintf("bench.metric_%ld{k=\"%ld\"}", i, i % 4);
	double t0 = mono();
	for (long b = 0; b < batches; b++) {
		struct sample_set s;
		sample_set_init(&s);
		for (long i = 0; i < metrics; i++)
			sample_set_add(&s, "bench", names[i], sin((double)b / 100 + (double)i));
		if (store_append(st, 1.7e9 + (double)b * 10, &s) != 0)
			return 1;
		sample_set_free(&s);
	}
	double dt = mono() - t0;
	printf("store ingest: %ld batches x %ld metrics = %ld samples in %.2f s: %.0f samples/s, %.0f batches/s\n",
	       batches, metrics, batches * metrics, dt, (double)(batches * metrics) / dt, (double)batches / dt);
	store_close(st);

	// 2. 30 days of 10 s samples of every default trigger's metric.
	char *path2 = xasprintf("%s/month.db", argv[1]);
	remove(path2);
	if (store_open(path2, STORE_CREATE, &d, &st) != 0)
		return 1;
	size_t nd;
	const struct trigger_rule *def = rules_defaults(&nd);
	const double start = 1.7e9, step = 10, days = 30;
	long n = (long)(days * 86400 / step);
	for (long k = 0; k < n; k++) {
		struct sample_set s;
		sample_set_init(&s);
		double t = start + (double)k * step;
		for (size_t r = 0; r < nd; r++) {
			// A daily cycle on a slow rise, around each rule's warn level.
			double lvl = isnan(def[r].warn) ? def[r].crit : def[r].warn;
			double v = lvl * (0.5 + 0.2 * (double)k / (double)n + 0.2 * sin(2 * M_PI * t / 86400));
			if (r == 0 || strcmp(def[r].metric, def[r - 1].metric) != 0)
				sample_set_add(&s, "bench", def[r].metric, v);
		}
		if (store_append(st, t, &s) != 0)
			return 1;
		sample_set_free(&s);
	}
	double now = start + (double)n * step;
	t0 = mono();
	size_t points = 0;
	int fired = 0;
	for (size_t r = 0; r < nd; r++) {
		struct series h = {0};
		if (store_read_series(st, def[r].metric, now - days * 86400, now, 0, &h) != 0)
			return 1;
		points += h.n;
		struct rule_eval e;
		rules_eval_init(&e);
		rules_replay(&def[r], &e, h.t, h.v, h.n, 30);
		struct forecast f;
		struct forecast_eta eta;
		if (forecast_fit(h.t, h.v, h.n, NULL, &f) != 0)
			return 1;
		forecast_eta(&f, def[r].dir, def[r].warn, now, NAN, 90 * 86400.0, &eta);
		fired += e.state != TRIG_OK;
		series_free(&h);
	}
	dt = mono() - t0;
	printf("evaluate: %zu triggers over 30 days of 10 s samples (%zu points read, replayed and fitted): %.3f s "
	       "(%d past a level at the end)\n", nd, points, dt, fired);
	store_close(st);
	for (long i = 0; i < metrics; i++)
		free(names[i]);
	free(names);
	free(path);
	free(path2);
	return 0;
}
