/* model_chain.c - see model_chain.h. */
#include "model_chain.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* `previous` as written in the file `from`: relative to that file's folder. */
static char *resolve(const char *from, const char *previous)
{
    const char *slash = strrchr(from, '/');
    rg_buf b = {0};
    if (previous[0] != '/' && slash)
        rg_buf_append(&b, from, (size_t)(slash - from + 1));
    rg_buf_puts(&b, previous);
    return rg_buf_take(&b);
}

/* An error at the previous="…" of m. */
static void link_error(rg_diags *d, const model *m, const char *fmt, ...) RG_PRINTF(3, 4);
static void link_error(rg_diags *d, const model *m, const char *fmt, ...)
{
    rg_buf msg = {0};
    va_list ap;
    va_start(ap, fmt);
    rg_buf_vprintf(&msg, fmt, ap);
    va_end(ap);
    rg_diag_add(d, RG_ERROR, m->file, m->previous_line, m->previous_col, "previous=\"%s\": %s",
                m->previous, msg.data);
    rg_buf_fini(&msg);
}

/* Loads the report `at` names as previous; NULL after an error. `seen`
 * holds the files of the chain so far, to refuse a loop. */
static model *load_previous(model_loader *ld, const model *at, struct stat *seen, size_t *nseen,
                            rg_diags *d)
{
    char *path = resolve(at->file, at->previous);
    model *p = NULL;
    struct stat st;
    if (*nseen == MODEL_MAX_CHAIN) {
        link_error(d, at, "a chain of reports holds at most %d files; start it at a later year "
                   "(leave previous out of the oldest report wanted)", MODEL_MAX_CHAIN);
    } else if (stat(path, &st) != 0) {
        link_error(d, at, "cannot read %s: %s; give the path of the input of %d, relative to "
                   "this file", path, strerror(errno), at->year - 1);
    } else {
        for (size_t i = 0; i < *nseen; i++)
            if (seen[i].st_dev == st.st_dev && seen[i].st_ino == st.st_ino) {
                link_error(d, at, "%s is already in this chain of reports, which would loop; "
                           "name the input of %d", path, at->year - 1);
                free(path);
                return NULL;
            }
        seen[(*nseen)++] = st;
        p = model_load(ld, path, d);
        if (!p)
            link_error(d, at, "%s cannot be used (see the messages above); correct it, or name "
                       "another file", path);
    }
    if (p && strcmp(p->park, at->park) != 0)
        link_error(d, at, "%s is the report of %s, not of %s; name this park's input of %d", path,
                   p->park, at->park, at->year - 1);
    else if (p && p->year != at->year - 1)
        link_error(d, at, "%s is the report of %d, not of %d, the year before %d; name the "
                   "input of %d", path, p->year, at->year - 1, at->year, at->year - 1);
    else {
        free(path);
        return p;
    }
    model_free(p);
    free(path);
    return NULL;
}

/* --- indicators and sectors by id ------------------------------------------ */

/* Pointers to n things of `size` bytes whose first member is their id
 * (model_indicator, model_sector), sorted by it. */
typedef struct by_id {
    const void **at;
    size_t n;
} by_id;

static int id_cmp(const void *a, const void *b)
{
    return strcmp(**(char *const *const *)a, **(char *const *const *)b);
}

static by_id index_by_id(const void *things, size_t n, size_t size)
{
    by_id ix = {xcalloc(n ? n : 1, sizeof *ix.at), n};
    for (size_t i = 0; i < n; i++)
        ix.at[i] = (const char *)things + i * size;
    qsort(ix.at, n, sizeof *ix.at, id_cmp);
    return ix;
}

static const void *find_id(const by_id *ix, const char *id)
{
    const char *const key = id;
    const char *const *key_at = &key;
    const void **hit = ix->n ? bsearch(&key_at, ix->at, ix->n, sizeof *ix->at, id_cmp) : NULL;
    return hit ? *hit : NULL;
}

/* --- targets from last year's plan ----------------------------------------- */

static const char *bound_prefix(model_bound b)
{
    return b == MODEL_BOUND_AT_LEAST ? "不低于" : b == MODEL_BOUND_AT_MOST ? "不高于" : "";
}

static int figure_cmp(const void *a, const void *b)
{
    return strcmp((*(const model_figure *const *)a)->id, (*(const model_figure *const *)b)->id);
}

/* Makes the plan of `before` (in report prev) the target of `now` (in cur).
 * A target made here is appended to *added. */
static void take_target(model *cur, model_indicator *now, const model *prev,
                        const model_indicator *before, model_figure ***added, size_t *nadded,
                        rg_diags *d)
{
    const model_figure *plan = before->slot[MODEL_PLAN];
    model_figure *t = now->slot[MODEL_TARGET];
    if (t) {
        if (rg_dec_cmp(t->value, plan->value) != 0 || strcmp(t->unit, plan->unit) != 0 ||
            now->target_bound != before->plan_bound)
            rg_diag_add(d, RG_WARNING, cur->file, t->line, t->col,
                        "the target of %s is %s%s%s here, but the %d plan at %s:%d is "
                        "%s%s%s; the plan is used: correct this <target> or delete it",
                        now->name, bound_prefix(now->target_bound), t->text, t->unit,
                        prev->plan_year, prev->file, plan->line, bound_prefix(before->plan_bound),
                        plan->text, plan->unit);
        free(t->text), free(t->unit);
    } else {
        t = xcalloc(1, sizeof *t);
        rg_buf id = {0};
        rg_buf_printf(&id, "%s.target", now->id);
        t->id = rg_buf_take(&id);
        t->name = xstrdup(now->name);
        *added = xrealloc(*added, (*nadded + 1) * sizeof **added);
        (*added)[(*nadded)++] = t;
    }
    t->text = xstrdup(plan->text);
    t->unit = xstrdup(plan->unit);
    t->value = plan->value;
    now->slot[MODEL_TARGET] = t;
    now->target_bound = before->plan_bound;
    now->target_from = plan;
}

static void take_targets(model *cur, const model *prev, const by_id *now_ix, rg_diags *d)
{
    model_figure **added = NULL;
    size_t nadded = 0;
    for (size_t i = 0; i < prev->nindicators; i++) {
        const model_indicator *before = &prev->indicators[i];
        if (!before->slot[MODEL_PLAN])
            continue;
        model_indicator *now = (model_indicator *)find_id(now_ix, before->id);
        if (now)
            take_target(cur, now, prev, before, &added, &nadded, d);
        else
            rg_diag_add(d, RG_WARNING, cur->file, cur->previous_line, cur->previous_col,
                        "the %d plan for %s at %s:%d has no indicator id=\"%s\" here; add "
                        "it to report against that target",
                        prev->plan_year, before->name, prev->file, before->slot[MODEL_PLAN]->line,
                        before->id);
    }
    if (!nadded)
        return;
    cur->figures = xrealloc(cur->figures, (cur->nfigures + nadded) * sizeof *cur->figures);
    memcpy(cur->figures + cur->nfigures, added, nadded * sizeof *added);
    cur->nfigures += nadded;
    qsort(cur->figures, cur->nfigures, sizeof *cur->figures, figure_cmp); /* model_figure_find */
    free(added);
}

/* --- growth against last year's figures ------------------------------------ */

/* The growth from `before` to `now` in per cent, rounded to `decimals`. */
static bool growth(const model_figure *before, const model_figure *now, int decimals, rg_dec *out)
{
    rg_dec rise;
    return strcmp(before->unit, now->unit) == 0 && before->value.coef != 0 &&
           rg_dec_sub(now->value, before->value, &rise) == 0 &&
           rg_dec_div(rise, before->value, decimals + 2, out) == 0 &&
           rg_dec_shift(*out, 2, out) == 0;
}

/* Warns at the stated growth when the figures of the two years, `when`
 * (e.g. "2023年1-11月"), give another at its written precision. */
static void check_stated(const model *cur, const char *name, const model_figure *now,
                         const model_figure *stated, const model *prev,
                         const model_figure *before, const char *when, rg_diags *d)
{
    rg_dec at_stated, shown;
    int decimals = stated && stated->value.scale > 1 ? stated->value.scale : 1;
    if (!now || !stated || !before || !growth(before, now, stated->value.scale, &at_stated) ||
        rg_dec_cmp(at_stated, stated->value) == 0 || !growth(before, now, decimals, &shown))
        return;
    rg_buf got = {0};
    rg_dec_format(shown, &got);
    rg_diag_add(d, RG_WARNING, cur->file, stated->line, stated->col,
                "%s grew by %s%% from %s%s (%s, %s:%d) to %s%s (line %d), but the stated "
                "growth is %s%%",
                name, got.data, before->text, before->unit, when, prev->file, before->line,
                now->text, now->unit, now->line, stated->text);
    rg_buf_fini(&got);
}

static void check_growths(const model *cur, const model *prev, rg_diags *d)
{
    bool same_period = strcmp(cur->period, prev->period) == 0;
    rg_buf actual_when = {0}, forecast_when = {0};
    rg_buf_printf(&actual_when, "%d年%s", prev->year, prev->period);
    rg_buf_printf(&forecast_when, "%d年全年预计", prev->year);
    for (size_t i = 0; i < cur->nindicators; i++) {
        const model_indicator *now = &cur->indicators[i], *before = now->last_year;
        if (!before)
            continue;
        const model_figure *written = now->slot[MODEL_PREVIOUS],
                           *last = before->slot[MODEL_ACTUAL];
        if (same_period)
            check_stated(cur, now->name, now->slot[MODEL_ACTUAL], now->slot[MODEL_ACTUAL_GROWTH],
                         prev, last, actual_when.data, d);
        check_stated(cur, now->name, now->slot[MODEL_FORECAST], now->slot[MODEL_FORECAST_GROWTH],
                     prev, before->slot[MODEL_FORECAST], forecast_when.data, d);
        if (same_period && written && last &&
            (rg_dec_cmp(written->value, last->value) != 0 || strcmp(written->unit, last->unit)))
            rg_diag_add(d, RG_WARNING, cur->file, written->line, written->col,
                        "%s of %s is written %s%s here, but %s:%d has %s%s", now->name,
                        actual_when.data, written->text, written->unit, prev->file, last->line,
                        last->text, last->unit);
    }
    if (same_period && cur->nsectors && prev->nsectors) {
        by_id ix = index_by_id(prev->sectors, prev->nsectors, sizeof *prev->sectors);
        for (size_t i = 0; i < cur->nsectors; i++) {
            const model_sector *now = &cur->sectors[i], *before = find_id(&ix, now->id);
            if (before)
                check_stated(cur, now->name, now->output, now->growth, prev, before->output,
                             actual_when.data, d);
        }
        free(ix.at);
    }
    rg_buf_fini(&actual_when);
    rg_buf_fini(&forecast_when);
}

/* One link of the chain: cur and the report of the year before. */
static void apply_link(model *cur, const model *prev, rg_diags *d)
{
    by_id before = index_by_id(prev->indicators, prev->nindicators, sizeof *prev->indicators);
    by_id now = index_by_id(cur->indicators, cur->nindicators, sizeof *cur->indicators);
    for (size_t i = 0; i < cur->nindicators; i++)
        cur->indicators[i].last_year = find_id(&before, cur->indicators[i].id);
    take_targets(cur, prev, &now, d);
    check_growths(cur, prev, d);
    free(before.at);
    free(now.at);
}

int model_chain_load(model_loader *ld, model *m, rg_diags *d)
{
    if (!m->previous)
        return 0;
    struct stat seen[MODEL_MAX_CHAIN];
    size_t nseen = 1;
    if (stat(m->file, &seen[0]) != 0) /* read from memory: no file to loop back to */
        memset(&seen[0], 0, sizeof seen[0]);
    size_t errors = d->errors;
    for (model *at = m; at->previous && d->errors == errors; at = at->prev) {
        at->prev = load_previous(ld, at, seen, &nseen, d);
        if (!at->prev)
            break;
        model_check(at->prev, d);
    }
    if (d->errors > errors) {
        model_free(m->prev);
        m->prev = NULL;
        return -1;
    }
    for (model *at = m; at->prev; at = at->prev)
        apply_link(at, at->prev, d);
    return 0;
}

bool model_target_met(const model_indicator *ind, bool *met)
{
    /* Against a target only, in the target's unit: a rate (不低于30%) too,
     * though it has no completion rate. */
    const model_figure *act = ind->slot[MODEL_ACTUAL], *target = ind->slot[MODEL_TARGET];
    rg_dec a;
    if (!act || !target || !model_figure_in(act, target->unit, &a))
        return false;
    int c = rg_dec_cmp(a, target->value);
    *met = ind->target_bound == MODEL_BOUND_AT_MOST ? c <= 0 : c >= 0;
    return true;
}

const char *model_status(const model *m, bool met)
{
    return met ? "已完成" : m->full_year ? "未完成" : "尚未完成";
}

void model_target_note(const model *m, const model_indicator *ind, rg_buf *out)
{
    const model_figure *target = ind->slot[MODEL_TARGET];
    rg_buf_append(out, "", 0);
    if (target && ind->target_from && m->prev) {
        const char *slash = strrchr(m->prev->file, '/');
        rg_buf_printf(out, "取自%s第%d行的%d年计划", slash ? slash + 1 : m->prev->file,
                      ind->target_from->line, m->prev->plan_year);
        /* A plan named otherwise may measure something else: say which. */
        const char *plan_name = ind->last_year ? ind->last_year->plan_name : NULL;
        if (plan_name && strcmp(plan_name, ind->name) != 0)
            rg_buf_printf(out, "“%s”", plan_name);
    } else if (target) {
        rg_buf_printf(out, "本文件第%d行", target->line);
    } else if (model_completion_base(ind)) {
        rg_buf_puts(out, "无目标，按全年预计");
    }
}
