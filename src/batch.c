/* batch.c - see batch.h, which describes every process and thread. */
#include "batch.h"

#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* --- the inputs ------------------------------------------------------------ */

static void add_path(batch_inputs *in, const char *path)
{
    void *arr = in->paths;
    xgrow(&arr, &in->cap, in->n + 1, sizeof *in->paths);
    in->paths = arr;
    in->paths[in->n++] = xstrdup(path);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

typedef struct visited {
    struct { dev_t dev; ino_t ino; } *dirs;
    size_t n, cap;
} visited;

/* True the first time a folder is seen, false after. */
static bool first_visit(visited *v, const struct stat *st)
{
    for (size_t i = 0; i < v->n; i++)
        if (v->dirs[i].dev == st->st_dev && v->dirs[i].ino == st->st_ino)
            return false;
    void *arr = v->dirs;
    xgrow(&arr, &v->cap, v->n + 1, sizeof *v->dirs);
    v->dirs = arr;
    v->dirs[v->n].dev = st->st_dev;
    v->dirs[v->n++].ino = st->st_ino;
    return true;
}

static bool xml_name(const char *path)
{
    size_t len = strlen(path);
    return len > 4 && strcasecmp(path + len - 4, ".xml") == 0;
}

/* Every regular *.xml file below dir, in name order, so that a batch is the
 * same each time. */
static void add_dir(batch_inputs *in, const char *dir, visited *v, int depth, rg_diags *d)
{
    DIR *dp = depth < 32 ? opendir(dir) : NULL;
    if (!dp) {
        rg_diag_add(d, RG_WARNING, dir, 0, 0, depth < 32 ? "cannot read the folder: %s; skipped"
                                                         : "folders nested too deep; skipped",
                    strerror(errno));
        return;
    }
    batch_inputs here = {0};
    struct dirent *e;
    while ((e = readdir(dp)) != NULL)
        if (e->d_name[0] != '.') {
            rg_buf p = {0};
            rg_buf_printf(&p, "%s/%s", dir, e->d_name);
            add_path(&here, p.data);
            rg_buf_fini(&p);
        }
    closedir(dp);
    if (here.n)
        qsort(here.paths, here.n, sizeof *here.paths, by_name);
    for (size_t i = 0; i < here.n; i++) {
        struct stat st;
        if (stat(here.paths[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            if (first_visit(v, &st))
                add_dir(in, here.paths[i], v, depth + 1, d);
        } else if (stat(here.paths[i], &st) == 0 && S_ISREG(st.st_mode) && xml_name(here.paths[i])) {
            add_path(in, here.paths[i]);
        }
        free(here.paths[i]);
    }
    free(here.paths);
}

void batch_add(batch_inputs *in, const char *path, rg_diags *d)
{
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
        add_path(in, path); /* a file, or what is not there: report_run says */
        return;
    }
    visited v = {0};
    first_visit(&v, &st);
    add_dir(in, path, &v, 0, d);
    free(v.dirs);
}

size_t batch_refuse_clashes(batch_inputs *in, const char *out_dir, rg_diags *d)
{
    size_t kept = 0, refused = 0;
    char **names = xcalloc(in->n ? in->n : 1, sizeof *names);
    for (size_t i = 0; i < in->n; i++) {
        char *name = report_output_name(out_dir, in->paths[i], "");
        size_t k = 0;
        while (k < kept && strcmp(names[k], name) != 0)
            k++;
        if (k < kept) {
            rg_diag_add(d, RG_ERROR, in->paths[i], 0, 0,
                        "it would write the same %s.pdf and .xlsx as %s; rename one, or run "
                        "them with different -o folders", name, in->paths[k]);
            free(name);
            free(in->paths[i]);
            refused++;
            continue;
        }
        names[kept] = name;
        in->paths[kept++] = in->paths[i];
    }
    for (size_t k = 0; k < kept; k++)
        free(names[k]);
    free(names);
    in->n = kept;
    return refused;
}

void batch_free(batch_inputs *in)
{
    for (size_t i = 0; i < in->n; i++)
        free(in->paths[i]);
    free(in->paths);
    *in = (batch_inputs){0};
}

/* --- the processes --------------------------------------------------------- */

typedef struct progress {
    size_t total;
    double start;
    bool show;
} progress;

static void count(batch_tally *t, const progress *p, const char *input, int rc, size_t warnings)
{
    t->done++;
    t->failed += rc != 0;
    t->warnings += warnings;
    if (p->show && p->total > 1) {
        double spent = rg_seconds() - p->start;
        double left = spent / (double)t->done * (double)(p->total - t->done);
        const char *base = strrchr(input, '/');
        /* Back to the line's start, so that what a worker prints next
         * writes over it rather than after it. */
        fprintf(stderr, "\r\033[K[%zu/%zu] ", t->done, p->total);
        rg_buf name = {0};
        rg_escape_for_terminal(base ? base + 1 : input, &name);
        fprintf(stderr, "%s  %.0f s left\r", name.data, left);
        rg_buf_fini(&name);
    }
}

/* How a worker's report ended: one write() on the pipe, which is atomic. */
typedef struct result {
    size_t index;
    int rc;
    size_t warnings;
} result;

static void work(report_setup *s, const batch_inputs *in, atomic_size_t *next, int out)
{
    for (;;) {
        size_t i = atomic_fetch_add(next, 1);
        if (i >= in->n)
            _exit(0);
        result res = {.index = i};
        res.rc = report_run(s, in->paths[i], &res.warnings);
        if (write(out, &res, sizeof res) != (ssize_t)sizeof res)
            _exit(1);
    }
}

void batch_run(report_setup *s, const batch_inputs *in, int jobs, bool verbose, batch_tally *t)
{
    progress p = {.total = in->n, .start = rg_seconds(), .show = verbose && isatty(STDERR_FILENO)};
    if ((size_t)jobs > in->n)
        jobs = (int)in->n;
    atomic_size_t *next = MAP_FAILED;
    int fds[2] = {-1, -1}, sfd = -1;
    sigset_t stop, old;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGHUP);
    if (jobs > 1) {
        sigprocmask(SIG_BLOCK, &stop, &old);
        next = mmap(NULL, sizeof *next, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        sfd = signalfd(-1, &stop, SFD_CLOEXEC);
        if (next == MAP_FAILED || sfd < 0 || pipe(fds) != 0) {
            fprintf(stderr, "parkreport: cannot start worker processes (%s); writing the reports "
                            "one after another\n", strerror(errno));
            if (sfd >= 0)
                close(sfd);
            sfd = -1;
            sigprocmask(SIG_SETMASK, &old, NULL);
            jobs = 1;
        } else {
            atomic_init(next, 0);
        }
    }
    if (jobs <= 1) {
        for (size_t i = 0; i < in->n; i++) {
            size_t warnings = 0;
            int rc = report_run(s, in->paths[i], &warnings);
            count(t, &p, in->paths[i], rc, warnings);
        }
        if (next != MAP_FAILED)
            munmap(next, sizeof *next);
        return;
    }
    bool *finished = xcalloc(in->n, sizeof *finished);
    pid_t *pids = xcalloc((size_t)jobs, sizeof *pids);
    int started = 0;
    fflush(stdout);
    fflush(stderr);
    for (int k = 0; k < jobs; k++) {
        pid_t pid = fork();
        if (pid == 0) {
            close(fds[0]);
            close(sfd);
            prctl(PR_SET_PDEATHSIG, SIGTERM);
            sigprocmask(SIG_SETMASK, &old, NULL);
            work(s, in, next, fds[1]);
        }
        if (pid < 0) {
            fprintf(stderr, "parkreport: cannot start a worker: %s\n", strerror(errno));
            break;
        }
        pids[started++] = pid;
    }
    close(fds[1]);
    int got = 0;
    struct pollfd pfd[2] = {{.fd = fds[0], .events = POLLIN}, {.fd = sfd, .events = POLLIN}};
    while (started > 0) {
        if (poll(pfd, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (pfd[1].revents & POLLIN) {
            struct signalfd_siginfo si;
            if (read(sfd, &si, sizeof si) == (ssize_t)sizeof si && !got) {
                got = (int)si.ssi_signo;
                for (int k = 0; k < started; k++)
                    kill(pids[k], got);
            }
        }
        if (pfd[0].revents & (POLLIN | POLLHUP)) {
            result res;
            ssize_t n = read(fds[0], &res, sizeof res);
            if (n != (ssize_t)sizeof res)
                break; /* every worker has ended */
            if (res.index < in->n && !finished[res.index]) {
                finished[res.index] = true;
                count(t, &p, in->paths[res.index], res.rc, res.warnings);
            }
        }
    }
    close(fds[0]);
    rg_diags d = {0};
    for (int k = 0; k < started; k++) {
        int status = 0;
        waitpid(pids[k], &status, 0);
        if (WIFSIGNALED(status) && !got && !s->opt->check_only && !s->opt->emit_doc)
            report_remove_stale_temps(s->opt->output_dir, (long)pids[k], &d); /* what it was writing */
    }
    rg_diags_print(stderr, &d, 0);
    rg_diags_fini(&d);
    close(sfd);
    sigprocmask(SIG_SETMASK, &old, NULL);
    /* Taken by a worker that died before it was written: failed. Never
     * taken, because every worker died or none could start: written here. */
    size_t taken = atomic_load(next);
    for (size_t i = 0; i < in->n && !got; i++) {
        if (finished[i])
            continue;
        if (i < taken) {
            rg_buf name = {0};
            rg_escape_for_terminal(in->paths[i], &name);
            fprintf(stderr, "%s: error: the worker writing this input stopped (killed, or out of "
                            "memory?); its earlier files are untouched; run it again\n", name.data);
            rg_buf_fini(&name);
            count(t, &p, in->paths[i], -1, 0);
        } else {
            size_t warnings = 0;
            int rc = report_run(s, in->paths[i], &warnings);
            count(t, &p, in->paths[i], rc, warnings);
        }
    }
    munmap(next, sizeof *next);
    free(pids);
    free(finished);
    if (got) { /* the workers are done: now die of the signal, as asked */
        signal(got, SIG_DFL);
        raise(got);
    }
}
