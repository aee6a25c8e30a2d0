/* fetch.c - downloading the pinned tarball with libcurl.
 *
 * The bytes go to DEST.part, never to DEST: an interrupted transfer leaves
 * the .part file, and the next attempt asks for the rest with an HTTP
 * Range request (a server that ignores it sends the whole file again and
 * the .part is restarted). Only a file whose SHA-256 matches is renamed to
 * DEST, so nothing reads an unverified tarball under its real name. A
 * .part that was resumed and then fails the check is downloaded once more
 * from scratch, in case the old half was the bad one.
 */
#include "source.h"
#include "fileio.h"
#include "interrupt.h"

#include "buf.h"

#include <curl/curl.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int ap_sha256_file(const char *path, char out[65], ap_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

	out[0] = '\0';
	if (fd < 0)
		return ap_error_sys(err, "%s: cannot open", path);
	rc = ap_sha256_fd(fd, path, out, err);
	close(fd);
	return rc;
}

/* --- one transfer ------------------------------------------------------- */

typedef struct xfer {
	int fd;                 /* the .part file, O_APPEND */
	long long offset;       /* bytes the .part held when we asked for the rest */
	long long got;          /* bytes written by this transfer */
	int decided;            /* the status line has been looked at */
	int discard;            /* an error status: keep its body out of the file */
	int write_errno;
	long status;
	long long range_start;  /* from Content-Range, -1 when none */
	int restart;            /* a range we did not ask for: start over */
	CURL *curl;
	/* progress */
	const ap_fetch_opts *o;  /* progress, for the callback */
	double last_draw;
	double start;
	int drew, drew_end;
} xfer;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t on_header(char *buf, size_t size, size_t n, void *ud)
{
	xfer *x = ud;
	size_t len = size * n;

	/* a new status line (after a redirect, or 100 Continue) starts over */
	if (len > 5 && strncmp(buf, "HTTP/", 5) == 0)
		x->range_start = -1;
	else if (len > 14 && strncasecmp(buf, "Content-Range:", 14) == 0) {
		const char *p = buf + 14;
		long long start;

		while (p < buf + len && (*p == ' ' || *p == '\t'))
			p++;
		if (strncasecmp(p, "bytes ", 6) == 0 && sscanf(p + 6, "%lld-", &start) == 1)
			x->range_start = start;
	}
	return len;
}

/* Looks at the response once, before its first byte is stored: decides
 * whether the body continues the .part (206, or a non-HTTP protocol that
 * honoured the range), replaces it (200), or is an error page. */
static int decide(xfer *x)
{
	const char *scheme = NULL;

	x->decided = 1;
	curl_easy_getinfo(x->curl, CURLINFO_RESPONSE_CODE, &x->status);
	curl_easy_getinfo(x->curl, CURLINFO_SCHEME, &scheme);
	if (scheme && strncasecmp(scheme, "http", 4) != 0)
		return 0;   /* file://, ftp://: curl itself seeks to the offset */
	if (x->status >= 400) {
		x->discard = 1;
		return 0;
	}
	if (x->offset > 0 && x->status == 206) {
		if (x->range_start != x->offset) {
			/* a range we did not ask for: safer to start over */
			x->restart = 1;
			return -1;
		}
		return 0;
	}
	if (x->offset > 0) {
		/* the server sent the whole file: drop what we had */
		if (ftruncate(x->fd, 0) < 0) {
			x->write_errno = errno;
			return -1;
		}
		x->offset = 0;
	}
	return 0;
}

static size_t on_data(char *buf, size_t size, size_t n, void *ud)
{
	xfer *x = ud;
	size_t len = size * n, done = 0;

	if (!x->decided && decide(x) < 0)
		return 0;
	if (x->discard)
		return len;
	while (done < len) {
		ssize_t w = write(x->fd, buf + done, len - done);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			x->write_errno = errno;
			return 0;
		}
		done += (size_t)w;
	}
	x->got += (long long)len;
	return len;
}

static int on_progress(void *ud, curl_off_t total, curl_off_t now, curl_off_t ut, curl_off_t un)
{
	xfer *x = ud;
	double t = now_s();
	ap_fetch_progress p;

	(void)ut;
	(void)un;
	/* Ctrl-C: stop the transfer (the .part stays for the next run) */
	if (ap_interrupted())
		return 1;
	if (!x->o->progress || x->discard || x->drew_end)
		return 0;
	if (t - x->last_draw < 0.2 && (total == 0 || now < total))
		return 0;
	if (total > 0 && now >= total)
		x->drew_end = 1;   /* curl reports the end more than once */
	x->last_draw = t;
	p.done = x->offset + (long long)now;
	p.total = total > 0 ? x->offset + (long long)total : 0;
	p.rate = t > x->start ? (double)now / (t - x->start) : 0;
	p.finished = 0;
	x->o->progress(x->o->progress_ctx, &p);
	x->drew = 1;
	return 0;
}

/* One request. Returns 0 when the response ended (the checksum decides
 * the rest), 1 when the .part was emptied and the request should be made
 * again from the start, -1 on failure (err filled; *progressed says
 * whether any byte arrived, so that a retry is worth it). */
static int transfer(const char *url, const char *part, int fd, const ap_fetch_opts *o,
		    long long *received, int *progressed, ap_error *err)
{
	char curl_err[CURL_ERROR_SIZE] = "";
	char range[48];
	struct stat st;
	xfer x;
	CURLcode cc;
	int rc = -1;

	memset(&x, 0, sizeof x);
	*progressed = 0;
	if (fstat(fd, &st) < 0)
		return ap_error_sys(err, "%s: fstat failed", part);
	x.fd = fd;
	x.offset = (long long)st.st_size;
	x.range_start = -1;
	x.o = o;
	x.start = now_s();
	x.curl = curl_easy_init();
	if (!x.curl)
		return ap_error_set(err, "cannot start libcurl (curl_easy_init failed)");
	curl_easy_setopt(x.curl, CURLOPT_URL, url);
	curl_easy_setopt(x.curl, CURLOPT_ERRORBUFFER, curl_err);
	curl_easy_setopt(x.curl, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(x.curl, CURLOPT_MAXREDIRS, 10L);
	curl_easy_setopt(x.curl, CURLOPT_PROTOCOLS_STR, "http,https,ftp,ftps,file");
	curl_easy_setopt(x.curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https,ftp,ftps");
	curl_easy_setopt(x.curl, CURLOPT_USERAGENT, "gap-patchkit-upstream/0.1");
	curl_easy_setopt(x.curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(x.curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(x.curl, CURLOPT_HEADERDATA, &x);
	curl_easy_setopt(x.curl, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(x.curl, CURLOPT_WRITEDATA, &x);
	curl_easy_setopt(x.curl, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(x.curl, CURLOPT_XFERINFODATA, &x);
	/* the callback also notices an interrupt, progress bar or not */
	curl_easy_setopt(x.curl, CURLOPT_NOPROGRESS, 0L);
	if (o->timeout_s > 0) {
		curl_easy_setopt(x.curl, CURLOPT_CONNECTTIMEOUT, o->timeout_s);
		curl_easy_setopt(x.curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
		curl_easy_setopt(x.curl, CURLOPT_LOW_SPEED_TIME, o->timeout_s);
	}
	if (x.offset > 0) {
		/* CURLOPT_RANGE, not RESUME_FROM: the latter makes a 200 reply a
		 * hard error, where we would rather start over. */
		snprintf(range, sizeof range, "%lld-", x.offset);
		curl_easy_setopt(x.curl, CURLOPT_RANGE, range);
	}
	cc = curl_easy_perform(x.curl);
	if (x.drew) {
		ap_fetch_progress end = { x.offset + x.got, 0, 0, 1 };

		o->progress(o->progress_ctx, &end);
	}
	*progressed = x.got > 0;
	*received += x.got;
	if (!x.decided && cc == CURLE_OK && decide(&x) < 0 && !x.write_errno)
		x.restart = 1;
	if (x.write_errno) {
		errno = x.write_errno;
		ap_error_sys(err, "%s: write failed", part);
		goto out;
	}
	/* file:// and ftp:// cannot serve a range past the end: a .part
	 * longer than the file is wrong, start over */
	if (x.offset > 0 && x.got == 0 &&
	    (cc == CURLE_BAD_DOWNLOAD_RESUME || cc == CURLE_RANGE_ERROR))
		x.restart = 1;
	if (x.restart) {
		if (ftruncate(fd, 0) < 0) {
			ap_error_sys(err, "%s: cannot truncate", part);
			goto out;
		}
		rc = 1;
		goto out;
	}
	if (x.status == 416 && x.offset > 0) {
		/* "range not satisfiable": the .part may be whole already; the
		 * checksum will tell */
		rc = 0;
		goto out;
	}
	if (x.discard || x.status >= 400) {
		ap_error_set(err, "%s: the server answered HTTP %ld", url, x.status);
		goto out;
	}
	if (cc != CURLE_OK) {
		ap_error_set(err, "%s: %s", url, curl_err[0] ? curl_err : curl_easy_strerror(cc));
		if (x.got > 0 || x.offset > 0) {
			long long have = x.offset + x.got;
			curl_off_t total = -1;
			size_t n = strlen(err->msg);

			curl_easy_getinfo(x.curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &total);
			if (total > 0)
				snprintf(err->msg + n, sizeof err->msg - n,
					 " (interrupted after %lld of %lld bytes; %s is kept and the "
					 "next run resumes it)", have, (long long)(x.offset + total), part);
			else
				snprintf(err->msg + n, sizeof err->msg - n,
					 " (interrupted after %lld bytes; %s is kept and the next run "
					 "resumes it)", have, part);
		}
		goto out;
	}
	rc = 0;
out:
	curl_easy_cleanup(x.curl);
	return rc;
}

static int sync_dir_of(const char *path)
{
	char *copy = ap_strdup(path);
	int fd, rc = 0;

	if (!copy)
		return -1;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(copy);
	if (fd < 0)
		return -1;
	if (fsync(fd) < 0)
		rc = -1;
	close(fd);
	return rc;
}

/* 1 when path has every sum the pin gives, 0 when not (*why, malloc'd,
 * says which and both values), -1 when it cannot be read. Only sha256
 * given: only sha256 computed. */
static int has_sums(const ap_pin *pin, const char *path, char **why, ap_error *err)
{
	ap_sums got;

	*why = NULL;
	if (pin->sha256 && !pin->sha1 && !pin->md5 && !pin->cksum) {
		memset(&got, 0, sizeof got);
		if (ap_sha256_file(path, got.sha256, err) < 0)
			return -1;
		for (char *c = got.sha256; *c; c++)
			*c = (char)tolower((unsigned char)*c);
	} else if (ap_sums_file(path, &got, err) < 0) {
		return -1;
	}
	return ap_pin_match(pin, &got, why);
}

static int download(const char *url, const char *dest, const char *part, int fd,
		    const ap_pin *pin, const ap_fetch_opts *o, ap_fetch_result *res, ap_error *err)
{
	int tries = o->retries > 0 ? o->retries + 1 : 1;
	char *why;

	for (;;) {
		int progressed = 0;
		int t = transfer(url, part, fd, o, &res->bytes, &progressed, err);

		if (t == 1) {
			if (res->restarted++)
				return ap_error_set(err, "%s: the server keeps sending ranges other than "
						    "the one asked for", url);
			continue;
		}
		if (t < 0) {
			if (progressed && --tries > 0 && !ap_interrupted())
				continue;
			return -1;
		}
		switch (has_sums(pin, part, &why, err)) {
		case -1:
			return -1;
		case 1:
			break;
		default:
			if (res->resumed_from > 0 && !res->restarted) {
				/* the kept half may be what is wrong: once more from zero */
				free(why);
				res->restarted = 1;
				if (ftruncate(fd, 0) < 0)
					return ap_error_sys(err, "%s: cannot truncate", part);
				continue;
			}
			unlink(part);
			ap_error_set(err, "%s: %s\nthe download from %s is rejected: nothing is kept "
				     "under %s, and the partial file %s was removed", dest, why, url,
				     dest, part);
			free(why);
			return -1;
		}
		break;
	}
	if (fsync(fd) < 0)
		return ap_error_sys(err, "%s: fsync failed", part);
	if (rename(part, dest) < 0)
		return ap_error_sys(err, "cannot rename %s to %s", part, dest);
	sync_dir_of(dest);
	return 0;
}

int ap_fetch_pin(const ap_pin *pin, const char *url, const char *dest, const ap_fetch_opts *o,
		 ap_fetch_result *res, ap_error *err)
{
	static const ap_fetch_opts defaults = AP_FETCH_OPTS_INIT;
	ap_fetch_result scratch;
	char *part = NULL, *why = NULL;
	int fd = -1, rc = -1;
	struct stat st;

	if (!o)
		o = &defaults;
	if (!res)
		res = &scratch;
	memset(res, 0, sizeof *res);
	if (!pin->sha256 && !pin->sha1 && !pin->md5 && !pin->cksum)
		return ap_error_set(err, "%s: no expected checksum to check the download against",
				    dest);
	/* An existing file is the user's: reuse it if right, never clobber it. */
	if (lstat(dest, &st) == 0) {
		if (!S_ISREG(st.st_mode))
			return ap_error_set(err, "%s: exists and is not a regular file", dest);
		switch (has_sums(pin, dest, &why, err)) {
		case -1:
			return -1;
		case 1:
			res->reused = 1;
			return 0;
		}
		ap_error_set(err, "%s: already there with the wrong checksum: %s\n"
			     "move it away to download it again (it was left as it is)", dest, why);
		free(why);
		return -1;
	}
	if (errno != ENOENT)
		return ap_error_sys(err, "%s: cannot stat", dest);
	if (!url || !*url)
		return ap_error_set(err, "%s: not there, and no URL to download it from", dest);
	part = ap_printf("%s.part", dest);
	if (!part)
		return ap_error_set(err, "out of memory");
	fd = open(part, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		ap_error_sys(err, "%s: cannot open", part);
		goto out;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK)
			ap_error_set(err, "%s: another download into this file is running", part);
		else
			ap_error_sys(err, "%s: cannot lock", part);
		goto out;
	}
	if (fstat(fd, &st) < 0) {
		ap_error_sys(err, "%s: fstat failed", part);
		goto out;
	}
	res->resumed_from = (long long)st.st_size;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		ap_error_set(err, "cannot initialize libcurl");
		goto out;
	}
	rc = download(url, dest, part, fd, pin, o, res, err);
	curl_global_cleanup();
out:
	if (fd >= 0)
		close(fd);
	/* an empty .part helps nobody resume */
	if (rc < 0 && part && stat(part, &st) == 0 && st.st_size == 0)
		unlink(part);
	free(part);
	return rc;
}

int ap_fetch(const char *url, const char *dest, const char *sha256, const ap_fetch_opts *o,
	     ap_fetch_result *res, ap_error *err)
{
	ap_pin pin;

	memset(&pin, 0, sizeof pin);
	if (!sha256 || strlen(sha256) != 64)
		return ap_error_set(err, "%s: no valid expected sha256 to check the download against",
				    dest);
	pin.sha256 = (char *)sha256;
	return ap_fetch_pin(&pin, url, dest, o, res, err);
}
