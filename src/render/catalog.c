/* catalog.c - the price catalogue as a text table or JSON (see catalog.h). */
#include "render/catalog.h"

#include <jansson.h>
#include <stdio.h>

#include "render/jsondoc.h"
#include "render/table.h"
#include "util/units.h"

/* The price column: every part the entry is priced by, joined with " + ". */
static void price_text(const struct offer *o, char *buf, size_t n)
{
	struct {
		double v;
		const char *unit;
	} parts[] = {
		{o->price, "/mo"}, {o->price_per_gb, "/GB-mo"}, {o->per_cpu_h, "/CPU-h"},
		{o->per_gb_s, "/GB-s"}, {o->per_million, "/1M"},
	};
	size_t len = 0;
	buf[0] = '\0';
	if (o->percent > 0)
		len += (size_t)snprintf(buf, n, "%g%% of server", o->percent * 100);
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]) && len < n; i++) {
		if (parts[i].v <= 0)
			continue;
		char m[48];
		units_fmt_unit_price(parts[i].v, o->currency, m, sizeof(m));
		len += (size_t)snprintf(buf + len, n - len, "%s%s%s", len ? " + " : "", m, parts[i].unit);
	}
	if (!buf[0]) {
		char m[48];
		units_fmt_unit_price(0, o->currency, m, sizeof(m));
		len = (size_t)snprintf(buf, n, "%s/mo", m);
	}
	if (o->non_commercial && len < n)
		snprintf(buf + len, n - len, " (non-commercial use only)");
}

int catalog_render_text(const struct catalog *cat, const bool *keep, const char *const *kinds, struct strbuf *out)
{
	static const char *const hdr[] = {"PROVIDER", "NAME", "KIND", "VCPU", "MEMORY", "DISK",
					  "TRANSFER", "PRICE", "SLA", "AS OF"};
	struct table *t = table_new(10, hdr);
	for (size_t c = 3; c <= 6; c++)
		table_align_right(t, c);
	for (size_t i = 0; i < cat->n; i++) {
		if (!keep[i])
			continue;
		const struct offer *o = &cat->offers[i];
		char vcpu[16] = "", mem[24] = "", disk[24] = "", tr[24] = "", price[160], sla[16] = "";
		if (o->vcpu > 0)
			snprintf(vcpu, sizeof(vcpu), "%g", o->vcpu);
		if (o->memory_b > 0)
			units_fmt_size(o->memory_b, mem, sizeof(mem));
		if (o->disk_b > 0)
			snprintf(disk, sizeof(disk), "%g GB", o->disk_b / 1e9);
		if (o->transfer_b > 0)
			snprintf(tr, sizeof(tr), "%g TB", o->transfer_b / 1e12);
		if (o->availability > 0)
			snprintf(sla, sizeof(sla), "%g%%", o->availability * 100);
		price_text(o, price, sizeof(price));
		const char *cells[] = {o->provider, o->name, kinds[o->kind], vcpu, mem,
				       disk, tr, price, sla, o->as_of};
		table_add_row(t, cells);
	}
	int rc = table_render(t, out);
	table_free(t);
	return rc;
}

/* Catalogue fields are positive when given; 0 means "not priced by this". */
static json_t *positive_or_null(double v)
{
	return v > 0 ? json_real(v) : json_null();
}

int catalog_render_json(const struct catalog *cat, const bool *keep, const char *const *kinds, struct strbuf *out)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < cat->n; i++) {
		if (!keep[i])
			continue;
		const struct offer *o = &cat->offers[i];
		json_t *e = json_object();
		json_object_set_new(e, "provider", json_string(o->provider));
		json_object_set_new(e, "name", json_string(o->name));
		json_object_set_new(e, "kind", json_string(kinds[o->kind]));
		json_object_set_new(e, "vcpu", positive_or_null(o->vcpu));
		json_object_set_new(e, "memory_bytes", positive_or_null(o->memory_b));
		json_object_set_new(e, "disk_bytes", positive_or_null(o->disk_b));
		json_object_set_new(e, "transfer_bytes", positive_or_null(o->transfer_b));
		json_object_set_new(e, "price_month", json_real(o->price));
		json_object_set_new(e, "currency", json_string(o->currency));
		json_object_set_new(e, "price_per_gb_month", positive_or_null(o->price_per_gb));
		json_object_set_new(e, "backup_ratio", positive_or_null(o->percent));
		json_object_set_new(e, "per_million_requests", positive_or_null(o->per_million));
		json_object_set_new(e, "per_gb_second", positive_or_null(o->per_gb_s));
		json_object_set_new(e, "per_cpu_hour", positive_or_null(o->per_cpu_h));
		json_object_set_new(e, "availability", positive_or_null(o->availability));
		json_object_set_new(e, "max_connections",
				    o->max_connections ? json_integer(o->max_connections) : json_null());
		json_object_set_new(e, "ha", json_boolean(o->ha));
		json_object_set_new(e, "pooler", json_boolean(o->pooler));
		json_object_set_new(e, "replica_price_month", positive_or_null(o->replica_price));
		json_object_set_new(e, "non_commercial", json_boolean(o->non_commercial));
		json_object_set_new(e, "as_of", json_string(o->as_of));
		json_object_set_new(e, "source", json_string(o->source));
		json_array_append_new(arr, e);
	}
	return jsondoc_render(arr, out);
}

