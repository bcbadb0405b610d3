/* Unit tests for model/calibrated: a calibration resolved into CPU per
 * request, slots and service time, with each fallback worked by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "model/calibrated.h"
#include "model/usl.h"

#include "testutil.h"

/* What bench writes: every key measured. */
static struct calibration full(void)
{
	return (struct calibration){.present = true, .service_s = 0.025, .service_cv = 0.1,
				    .has_service_cv = true, .cpu_s = 0.0004, .concurrency = 3.9,
				    .max_rps = 156, .cores = 2, .sigma = 0, .kappa = 0.02, .gamma = 40};
}

static void test_measured(void **state)
{
	(void)state;
	struct calibration cal = full();
	struct calib_service s;
	assert_int_equal(calib_resolve(&cal, &s), 0);
	assert_near(s.service_s, 0.025, 0);
	assert_near(s.cv, 0.1, 0);
	assert_near(s.cpu_s, 0.0004, 0);
	assert_int_equal(s.cpu_from, CALIB_CPU_MEASURED);
	assert_int_equal(s.slots_from, CALIB_SLOTS_MEASURED);
	/* 3.9 requests at once on 2 vCPU: 1.95 per vCPU */
	assert_near(s.slots_per_vcpu, 1.95, 1e-15);
	/* On the measured 2 vCPU: 3.9 slots, 4 servers; capacity 3.9 / 25 ms = 156/s = max_rps. */
	assert_near(calib_slots(&s, 2), 3.9, 1e-15);
	assert_near(calib_slots(&s, 2) / s.service_s, cal.max_rps, 1e-9);
	assert_int_equal(calib_servers(&s, 2), 4);
	/* By vCPU: 8 vCPU carry four times as much; 1 vCPU rounds 1.95 to 2 servers. */
	assert_near(calib_slots(&s, 8), 15.6, 1e-12);
	assert_int_equal(calib_servers(&s, 8), 16);
	assert_int_equal(calib_servers(&s, 1), 2);
	/* Never fewer than one server, however small the node. */
	assert_int_equal(calib_servers(&s, 0.25), 1);
	assert_string_equal(calib_cpu_from_name(s.cpu_from), "measured");
	assert_string_equal(calib_slots_from_name(s.slots_from), "measured");
}

static void test_fallbacks(void **state)
{
	(void)state;
	struct calib_service s;
	/* No CPU measured: cores / max_rps = 2/156 s, the knee taken as CPU-bound. */
	struct calibration cal = full();
	cal.cpu_s = 0;
	assert_int_equal(calib_resolve(&cal, &s), 0);
	assert_near(s.cpu_s, 2.0 / 156, 1e-15);
	assert_int_equal(s.cpu_from, CALIB_CPU_KNEE);
	/* No concurrency: Little's law at the knee, 156/s x 25 ms = 3.9. */
	cal = full();
	cal.concurrency = 0;
	assert_int_equal(calib_resolve(&cal, &s), 0);
	assert_int_equal(s.slots_from, CALIB_SLOTS_KNEE);
	assert_near(calib_slots(&s, 2), 3.9, 1e-12);
	/* Neither: the USL's peak throughput, a ceiling of the whole deployment.
	 * sigma 0, kappa 0.02, gamma 40: N* = sqrt(1/0.02) = 7.0711, X(N*) =
	 * 40 N* / (1 + 0.02 N* (N* - 1)) = 150.71/s; slots = that x 25 ms. */
	cal.max_rps = 0;
	assert_int_equal(calib_resolve(&cal, &s), 0);
	assert_int_equal(s.slots_from, CALIB_SLOTS_USL);
	struct usl_model u = {0, 0.02, 40};
	double xmax = usl_max_throughput(&u);
	assert_near(xmax, 40 * sqrt(50.0) / (1 + 0.02 * sqrt(50.0) * (sqrt(50.0) - 1)), 1e-9);
	assert_near(calib_slots(&s, 2), xmax * 0.025, 1e-12);
	/* ... and the CPU, with no knee to derive it from: the whole service time. */
	cal.cpu_s = 0;
	assert_int_equal(calib_resolve(&cal, &s), 0);
	assert_near(s.cpu_s, 0.025, 0);
	assert_int_equal(s.cpu_from, CALIB_CPU_SERVICE);
	/* A linear USL (sigma = kappa = 0) has no ceiling: nothing bounds the slots. */
	cal.kappa = 0;
	assert_int_equal(calib_resolve(&cal, &s), 0);
	assert_int_equal(s.slots_from, CALIB_SLOTS_NONE);
	assert_near(calib_slots(&s, 2), 0, 0);
	assert_int_equal(calib_servers(&s, 2), 0);
	/* No cores: nothing to scale by, so no slots either. */
	cal = full();
	cal.cores = 0;
	assert_int_equal(calib_resolve(&cal, &s), 0);
	assert_int_equal(s.slots_from, CALIB_SLOTS_NONE);
	/* No cv given: exponential, M/M/c as before. */
	cal = full();
	cal.has_service_cv = false;
	assert_int_equal(calib_resolve(&cal, &s), 0);
	assert_near(s.cv, 1, 0);
	/* Not a calibration. */
	cal.present = false;
	assert_int_equal(calib_resolve(&cal, &s), HR_E_INVALID);
	cal = full();
	cal.service_s = 0;
	assert_int_equal(calib_resolve(&cal, &s), HR_E_INVALID);
	assert_int_equal(calib_resolve(NULL, &s), HR_E_INVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_measured),
		cmocka_unit_test(test_fallbacks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
