/* tmpl_filters.c - the filters of the template language (docs/templates.md),
 * found by name in the table at the end. */
#include "tmpl_impl.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- the filters themselves ------------------------------------------- */

static int filter_error(render *r, const node *nd, const filter_call *fc, const char *fmt, ...)
    RG_PRINTF(4, 5);

static int filter_error(render *r, const node *nd, const filter_call *fc, const char *fmt, ...)
{
    rg_buf msg = {0};
    va_list ap;
    va_start(ap, fmt);
    rg_buf_vprintf(&msg, fmt, ap);
    va_end(ap);
    tmpl_render_error(r, nd->unit, fc->at, "filter '%s' %s (%s)", fc->def->name, msg.data,
                 nd->e.path);
    rg_buf_fini(&msg);
    return -1;
}

/* The input as an exact decimal: a number, or text that is one. */
static int need_number(render *r, const node *nd, const filter_call *fc, const tval *in,
                       rg_dec *d)
{
    if (in && in->kind == TVAL_NUMBER && in->dec_ok) {
        *d = in->dec;
        return 0;
    }
    if (in && in->kind == TVAL_STRING && rg_dec_parse(in->s, d) == 0)
        return 0;
    if (in && (in->kind == TVAL_NUMBER || in->kind == TVAL_STRING))
        return filter_error(r, nd, fc, "needs a number, got \"%s\"", in->s);
    return filter_error(r, nd, fc, "needs a number, got %s", tval_kind_name(in));
}

/* The decimals asked for, or -1: keep the number as written. */
static int arg_decimals(const filter_call *fc, size_t i)
{
    return i < fc->nargs ? (int)fc->args[i]->dec.coef : -1;
}

static const char *arg_text(const filter_call *fc, size_t i, const char *fallback)
{
    return i < fc->nargs ? fc->args[i]->s : fallback;
}

static int rounded(render *r, const node *nd, const filter_call *fc, rg_dec d, int decimals,
                   rg_dec *out)
{
    if (decimals < 0) {
        *out = d;
        return 0;
    }
    if (rg_dec_round(d, decimals, out) != 0)
        return filter_error(r, nd, fc, "cannot round to %d decimals without overflow",
                            decimals);
    if (out->coef == 0)
        out->scale = decimals; /* no "-0.0" */
    return 0;
}

static int f_fixed(render *r, const node *nd, const filter_call *fc, const tval *in,
                   const tval **out)
{
    rg_dec d, x;
    if (need_number(r, nd, fc, in, &d) || rounded(r, nd, fc, d, arg_decimals(fc, 0), &x))
        return -1;
    *out = tmpl_keep(r, tval_number_dec(x, in->kind == TVAL_NUMBER ? in->unit : NULL));
    return 0;
}

/* Amounts scale by their unit: 元 (or none), 万元, 亿元. */
static int money_exponent(const tval *in)
{
    const char *u = in->kind == TVAL_NUMBER ? in->unit : NULL;
    if (!u || strcmp(u, "元") == 0)
        return 0;
    if (strcmp(u, "万元") == 0)
        return 4;
    if (strcmp(u, "亿元") == 0)
        return 8;
    return -1;
}

static int scale_money(render *r, const node *nd, const filter_call *fc, const tval *in,
                       const tval **out, int to_exponent, const char *to_unit)
{
    rg_dec d, shifted, x;
    if (need_number(r, nd, fc, in, &d))
        return -1;
    int from = money_exponent(in);
    if (from < 0)
        return filter_error(r, nd, fc, "needs an amount in 元, 万元 or 亿元, got one in %s",
                            in->unit);
    if (rg_dec_shift(d, from - to_exponent, &shifted) != 0)
        return filter_error(r, nd, fc, "cannot scale %s", in->s);
    /* Drop only the zeros the scaling added: 1520000000元 is 15.2亿元. */
    while (shifted.scale > d.scale && shifted.coef % 10 == 0)
        shifted.coef /= 10, shifted.scale--;
    if (rounded(r, nd, fc, shifted, arg_decimals(fc, 0), &x))
        return -1;
    *out = tmpl_keep(r, tval_number_dec(x, to_unit));
    return 0;
}

static int f_yi(render *r, const node *nd, const filter_call *fc, const tval *in, const tval **out)
{
    return scale_money(r, nd, fc, in, out, 8, "亿元");
}

static int f_wan(render *r, const node *nd, const filter_call *fc, const tval *in,
                 const tval **out)
{
    return scale_money(r, nd, fc, in, out, 4, "万元");
}

static int f_pct(render *r, const node *nd, const filter_call *fc, const tval *in,
                 const tval **out)
{
    rg_dec d, x;
    if (need_number(r, nd, fc, in, &d) || rounded(r, nd, fc, d, arg_decimals(fc, 0), &x))
        return -1;
    rg_buf b = {0};
    rg_dec_format(x, &b);
    rg_buf_putc(&b, '%');
    *out = tmpl_keep(r, tval_string_take(rg_buf_take(&b)));
    return 0;
}

/* 增长16.33% / 下降3.2% / 持平, decided on the rounded value. */
static int by_sign(render *r, const node *nd, const filter_call *fc, const tval *in,
                   const tval **out, const char *up, const char *down, const char *flat,
                   const char *suffix)
{
    rg_dec d, x;
    if (need_number(r, nd, fc, in, &d) || rounded(r, nd, fc, d, arg_decimals(fc, 0), &x))
        return -1;
    rg_buf b = {0};
    if (x.coef == 0) {
        rg_buf_puts(&b, arg_text(fc, 3, flat));
    } else {
        rg_buf_puts(&b, x.coef > 0 ? arg_text(fc, 1, up) : arg_text(fc, 2, down));
        if (x.coef < 0)
            x.coef = -x.coef;
        rg_dec_format(x, &b);
        rg_buf_puts(&b, suffix);
    }
    *out = tmpl_keep(r, tval_string_take(rg_buf_take(&b)));
    return 0;
}

static int f_growth(render *r, const node *nd, const filter_call *fc, const tval *in,
                    const tval **out)
{
    return by_sign(r, nd, fc, in, out, "增长", "下降", "持平", "%");
}

static int f_pp(render *r, const node *nd, const filter_call *fc, const tval *in,
                const tval **out)
{
    return by_sign(r, nd, fc, in, out, "提高", "下降", "持平", "个百分点");
}

static int f_abs(render *r, const node *nd, const filter_call *fc, const tval *in,
                 const tval **out)
{
    rg_dec d;
    if (need_number(r, nd, fc, in, &d))
        return -1;
    if (d.coef < 0)
        d.coef = -d.coef;
    *out = tmpl_keep(r, tval_number_dec(d, in->kind == TVAL_NUMBER ? in->unit : NULL));
    return 0;
}

static int f_cn(render *r, const node *nd, const filter_call *fc, const tval *in, const tval **out)
{
    rg_dec d, whole;
    if (need_number(r, nd, fc, in, &d))
        return -1;
    if (rg_dec_round(d, 0, &whole) != 0 || rg_dec_cmp(whole, d) != 0 || whole.coef < 0)
        return filter_error(r, nd, fc, "needs a whole number of at least 0, got %s", in->s);
    rg_buf b = {0};
    rg_cn_numeral(whole.coef, &b);
    *out = tmpl_keep(r, tval_string_take(rg_buf_take(&b)));
    return 0;
}

static int need_list(render *r, const node *nd, const filter_call *fc, const tval *in)
{
    if (in && in->kind == TVAL_LIST)
        return 0;
    return filter_error(r, nd, fc, "needs a list, got %s", tval_kind_name(in));
}

/* 甲、乙和丙 */
static int f_join(render *r, const node *nd, const filter_call *fc, const tval *in,
                  const tval **out)
{
    if (need_list(r, nd, fc, in))
        return -1;
    const char *sep = arg_text(fc, 0, "、");
    const char *last = arg_text(fc, 1, fc->nargs == 1 ? sep : "和");
    rg_buf b = {0};
    rg_buf_append(&b, "", 0);
    for (size_t i = 0; i < in->n; i++) {
        const tval *it = in->items[i];
        if (it->kind != TVAL_STRING && it->kind != TVAL_NUMBER) {
            rg_buf_fini(&b);
            return filter_error(r, nd, fc, "joins text and numbers, but item %zu is %s", i + 1,
                                tval_kind_name(it));
        }
        if (i > 0)
            rg_buf_puts(&b, i + 1 == in->n ? last : sep);
        rg_buf_puts(&b, it->s);
    }
    *out = tmpl_keep(r, tval_string_take(rg_buf_take(&b)));
    return 0;
}

static int f_map(render *r, const node *nd, const filter_call *fc, const tval *in,
                 const tval **out)
{
    if (need_list(r, nd, fc, in))
        return -1;
    const char *key = fc->args[0]->s;
    tval *list = tval_list();
    tmpl_keep(r, list);
    for (size_t i = 0; i < in->n; i++) {
        const tval *v = tval_get(in->items[i], key, strlen(key));
        if (!v)
            return filter_error(r, nd, fc, "found no \"%s\" in item %zu", key, i + 1);
        tval_push(list, tval_copy(v));
    }
    *out = list;
    return 0;
}

static int f_count(render *r, const node *nd, const filter_call *fc, const tval *in,
                   const tval **out)
{
    if (need_list(r, nd, fc, in))
        return -1;
    char text[32];
    snprintf(text, sizeof text, "%zu", in->n);
    *out = tmpl_keep(r, tval_number(text, NULL));
    return 0;
}

static int f_default(render *r, const node *nd, const filter_call *fc, const tval *in,
                     const tval **out)
{
    (void)r, (void)nd;
    *out = in && in->kind != TVAL_NULL ? in : fc->args[0];
    return 0;
}

/* A run-in heading's text with the full stop it ends in: 。 added unless it
 * ends in a mark of its own (。？！：；…), which would make 。。 or ？。 */
static int f_stop(render *r, const node *nd, const filter_call *fc, const tval *in,
                  const tval **out)
{
    (void)fc;
    if (!in || in->kind != TVAL_STRING)
        return filter_error(r, nd, fc, "needs a text");
    static const char *const ends[] = {"。", "？", "！", "：", "；", "…", "?", "!"};
    size_t n = strlen(in->s);
    for (size_t i = 0; i < sizeof ends / sizeof *ends; i++) {
        size_t k = strlen(ends[i]);
        if (n >= k && memcmp(in->s + n - k, ends[i], k) == 0) {
            *out = in;
            return 0;
        }
    }
    rg_buf b = {0};
    rg_buf_printf(&b, "%s。", in->s);
    *out = tmpl_keep(r, tval_string_take(rg_buf_take(&b)));
    return 0;
}

/* True when the name is in the data and holds something: a section on it
 * writes a clause only for data that is there. */
static int f_exists(render *r, const node *nd, const filter_call *fc, const tval *in,
                    const tval **out)
{
    (void)nd, (void)fc;
    *out = tmpl_keep(r, tval_bool(in && in->kind != TVAL_NULL &&
                                  !(in->kind == TVAL_STRING && !*in->s) &&
                                  !(in->kind == TVAL_LIST && in->n == 0)));
    return 0;
}

static int f_with_unit(render *r, const node *nd, const filter_call *fc, const tval *in,
                       const tval **out)
{
    if (!in || in->kind != TVAL_NUMBER)
        return filter_error(r, nd, fc, "needs a number, got %s", tval_kind_name(in));
    rg_buf b = {0};
    rg_buf_puts(&b, in->s);
    if (in->unit)
        rg_buf_puts(&b, in->unit);
    *out = tmpl_keep(r, tval_string_take(rg_buf_take(&b)));
    return 0;
}

static int f_unit(render *r, const node *nd, const filter_call *fc, const tval *in,
                  const tval **out)
{
    if (!in || in->kind != TVAL_NUMBER || !in->unit)
        return filter_error(r, nd, fc, "needs a number with a unit, got %s", tval_kind_name(in));
    *out = tmpl_keep(r, tval_string(in->unit));
    return 0;
}

static int compare(render *r, const node *nd, const filter_call *fc, const tval *in,
                   const tval **out, int want)
{
    rg_dec d;
    if (need_number(r, nd, fc, in, &d))
        return -1;
    rg_dec zero = {0, 0};
    int c = rg_dec_cmp(d, fc->nargs ? fc->args[0]->dec : zero);
    *out = tmpl_keep(r, tval_bool(c == want));
    return 0;
}

static int f_pos(render *r, const node *nd, const filter_call *fc, const tval *in,
                 const tval **out)
{
    return compare(r, nd, fc, in, out, 1);
}

static int f_neg(render *r, const node *nd, const filter_call *fc, const tval *in,
                 const tval **out)
{
    return compare(r, nd, fc, in, out, -1);
}

static int f_gt(render *r, const node *nd, const filter_call *fc, const tval *in, const tval **out)
{
    return compare(r, nd, fc, in, out, 1);
}

static int f_lt(render *r, const node *nd, const filter_call *fc, const tval *in, const tval **out)
{
    return compare(r, nd, fc, in, out, -1);
}

static int f_zero(render *r, const node *nd, const filter_call *fc, const tval *in,
                  const tval **out)
{
    rg_dec d, x;
    if (need_number(r, nd, fc, in, &d) || rounded(r, nd, fc, d, arg_decimals(fc, 0), &x))
        return -1;
    *out = tmpl_keep(r, tval_bool(x.coef == 0));
    return 0;
}

const filter_def tmpl_filters[] = {
    {"fixed", "d", f_fixed},
    {"yi", "?d", f_yi},
    {"wan", "?d", f_wan},
    {"pct", "?d", f_pct},
    {"growth", "?dsss", f_growth},
    {"pp", "?dsss", f_pp},
    {"abs", "", f_abs},
    {"cn", "", f_cn},
    {"join", "?ss", f_join},
    {"map", "s", f_map},
    {"count", "", f_count},
    {"default", "a", f_default},
    {"exists", "", f_exists},
    {"stop", "", f_stop},
    {"unit", "", f_unit},
    {"with_unit", "", f_with_unit},
    {"pos", "", f_pos},
    {"neg", "", f_neg},
    {"zero", "?d", f_zero},
    {"gt", "n", f_gt},
    {"lt", "n", f_lt},
    {NULL, NULL, NULL},
};

const filter_def *tmpl_find_filter(const char *name, size_t len)
{
    for (const filter_def *f = tmpl_filters; f->name; f++)
        if (strlen(f->name) == len && memcmp(f->name, name, len) == 0)
            return f;
    return NULL;
}
