/* SPDX-License-Identifier: MIT */
/* The transport seam: one place that sends a command and counts its bytes. */
#include <stdlib.h>
#include <string.h>

#include <vitk/scsi.h>

int vitk_scsi_exec(vitk_scsi_transport *t, const uint8_t *cdb, size_t cdb_len, void *din,
		   size_t din_len, const void *dout, size_t dout_len, unsigned timeout_ms,
		   vitk_scsi_result *res)
{
	int r;

	memset(res, 0, sizeof(*res));
	res->sense_len = sizeof(res->sense);
	r = t->submit(t->self, cdb, cdb_len, din, din_len, &res->din_got, dout, dout_len,
		      res->sense, &res->sense_len, &res->status, timeout_ms);
	t->commands++;
	if (r < 0) {
		res->sense_len = 0;
		return r;
	}
	if (res->din_got > din_len)
		res->din_got = din_len;
	if (res->sense_len > sizeof(res->sense))
		res->sense_len = sizeof(res->sense);
	t->bytes_in += res->din_got;
	t->bytes_out += dout_len;
	if (res->status == VITK_SCSI_STATUS_CHECK_CONDITION && res->sense_len > 0) {
		if (vitk_scsi_sense_parse(&res->sense_parsed, res->sense, res->sense_len) == 0)
			res->sense_ok = true;
		else
			vitk_error_clear(); /* malformed sense: the caller reports the status */
	}
	return 0;
}

void vitk_scsi_transport_free(vitk_scsi_transport *t)
{
	if (!t)
		return;
	if (t->close)
		t->close(t->self);
}

/*
 * iscsi://[user[%secret]@]host[:port]/IQN/LUN[?arg=value&...] (libiscsi's
 * URL): drop "%secret" from the user part and every target_password
 * argument.  The user part ends at the last '@' before the first '/' after
 * the scheme, so a secret holding '@' or '%' is dropped whole.
 */
char *vitk_scsi_url_redact(const char *name)
{
	const char *p, *slash, *at = NULL, *q, *c;
	size_t n = strlen(name);
	char *out, *o;

	out = malloc(n + 1);
	if (!out)
		return NULL;
	if (strncmp(name, "iscsi://", 8) != 0) {
		memcpy(out, name, n + 1);
		return out;
	}
	p = name + 8;
	slash = strchr(p, '/');
	for (c = p; *c && (!slash || c < slash); c++)
		if (*c == '@')
			at = c;
	o = out;
	memcpy(o, name, 8);
	o += 8;
	if (at) {
		const char *pct = memchr(p, '%', (size_t)(at - p));
		size_t ulen = (size_t)((pct ? pct : at) - p);

		memcpy(o, p, ulen);
		o += ulen;
		p = at; /* keep the '@' */
	}
	q = strchr(p, '?');
	if (!q) {
		strcpy(o, p);
		return out;
	}
	memcpy(o, p, (size_t)(q - p));
	o += q - p;
	/* the arguments, without target_password */
	{
		bool first = true;
		const char *a = q + 1;

		while (*a) {
			const char *e = strchr(a, '&');
			size_t alen = e ? (size_t)(e - a) : strlen(a);

			if (!(alen >= 16 && strncmp(a, "target_password=", 16) == 0)) {
				*o++ = first ? '?' : '&';
				memcpy(o, a, alen);
				o += alen;
				first = false;
			}
			a += alen;
			if (*a == '&')
				a++;
		}
	}
	*o = '\0';
	return out;
}
