/* model.h - the typed model of one report input, loaded from XML.
 *
 * Pipeline stage 1: XML -> model. model_load parses the file with network
 * access, DTDs and entity expansion off, validates it against the embedded
 * schema (schema/parkreport.xsd), and builds the model. Figures keep their
 * written precision (text and an exact decimal). Derived figures (completion,
 * growth needed, shares, sums) are computed by the model_* functions below
 * and nowhere else, as exact decimals rounded once.
 *
 * Names that are printed on one line (the park, titles, section titles,
 * names, units, the period, the author, group statuses and items: every
 * "label" of the schema) hold no line break: one inside, with the blanks
 * around it, is folded to one space at load, and blanks at either end are
 * trimmed. No text holds a control character (rg_is_control) other than the
 * line breaks and tabs of paragraphs: the load refuses them.
 *
 * A figure written 待填 (a scaffold's figure still to be filled, scaffold.h)
 * is left out of the model, as if not written, with a "to fill" warning at
 * its place; so is an <actual ref="…"/> to one, and prose that cites one
 * reads "（待填）".
 *
 * Ownership: the model owns everything it points to; model_free releases it.
 * A model_loader holds the compiled schema and serves many inputs; it is not
 * shared between threads.
 *
 *     model_loader *ld = model_loader_new();
 *     rg_diags diags = {0};
 *     model *m = model_load(ld, "input/park-2023.xml", &diags);
 *     if (m) model_check(m, &diags);
 *     model_free(m); model_loader_free(ld); rg_diags_fini(&diags);
 */
#ifndef RG_MODEL_H
#define RG_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/* Limits on what one input may hold; each is enforced with an error. */
#define MODEL_MAX_FILE_BYTES (16 * 1024 * 1024)
#define MODEL_MAX_SECTION_DEPTH 4
#define MODEL_MAX_ELEMENTS 50000 /* elements of the XML: the seed has about 300 */
/* Significant digits of a figure (rg_dec_digits): Excel keeps 15, so a
 * figure with more is refused at load, and so that the workbook shows what
 * the report shows. */
#define MODEL_MAX_DIGITS 15

typedef struct model_figure {
    char *id;     /* the reference id, e.g. "output.actual" */
    char *name;   /* what it measures, e.g. "工业总产值" */
    char *unit;   /* e.g. "亿元", "%", "户" */
    char *text;   /* the number as written, e.g. "124.2" */
    rg_dec value; /* the same number, exact */
    int line, col;
    /* A figure written as <actual ref="..."/> takes its number from another. */
    char *ref;
    int ref_col;
    /* <figure same-as="..."> restates another figure; they should agree. */
    char *same_as;
    /* Computed by the model (model_derive), not written: ID.completion and
     * the other names of docs/input-format.md. A per cent is num / den * 100
     * (ratio), kept so that a figure restating it is checked at its own
     * written precision. */
    bool derived, ratio;
    rg_dec num, den;
} model_figure;

typedef enum {
    MODEL_PREVIOUS,        /* the same period a year earlier */
    MODEL_TARGET,          /* this year's target */
    MODEL_ACTUAL,          /* actual for the report period */
    MODEL_ACTUAL_GROWTH,   /* year-on-year growth of the actual, in % */
    MODEL_FORECAST,        /* full-year forecast */
    MODEL_FORECAST_GROWTH, /* year-on-year growth of the forecast, in % */
    MODEL_PLAN,            /* next year's target */
    MODEL_ESTIMATE,        /* a part-year estimate (上半年预计), its period in estimate_period */
    MODEL_ESTIMATE_GROWTH, /* year-on-year growth of the estimate, in % */
    MODEL_SLOT_COUNT
} model_slot;

typedef enum { MODEL_BOUND_EXACT, MODEL_BOUND_AT_LEAST, MODEL_BOUND_AT_MOST } model_bound;

typedef struct model_indicator {
    char *id, *name, *unit;
    int line, col;
    model_figure *slot[MODEL_SLOT_COUNT]; /* borrowed from model.figures; NULL if absent */
    char *plan_name;                      /* name of the plan item when it differs */
    model_bound plan_bound;
    model_bound target_bound; /* written on <target>, or taken with the plan of the year before */
    /* The plan of the report of the year before that gave this year's
     * target (model_chain.h), borrowed from model.prev; NULL otherwise. */
    const model_figure *target_from;
    /* The indicator of the same id in the report of the year before. */
    const struct model_indicator *last_year;
    char *estimate_period;                /* e.g. "上半年"; NULL without an estimate */
    bool full_year_actual;                /* the report's period is the whole year */
} model_indicator;

typedef enum { MODEL_ROLE_OTHER, MODEL_ROLE_LEADING, MODEL_ROLE_FEATURED } model_role;

typedef struct model_sector {
    char *id, *name;
    model_role role;
    model_figure *firms, *output, *growth; /* each may be NULL */
    int line, col;
} model_sector;

typedef struct model_category {
    char *id, *name;
    model_figure *projects, *amount;
    int line;
} model_category;

typedef struct model_promotion {
    bool present;
    model_figure *activities, *projects, *amount, *large_projects, *large_threshold;
    model_category *categories;
    size_t ncategories;
    bool additive; /* the categories add up to the totals (checked); false: they overlap */
} model_promotion;

typedef struct model_group {
    char *id, *status;
    model_figure *count; /* may be NULL */
    bool partial;        /* the items are examples, not the whole list */
    char **items;
    size_t nitems;
    int line;
} model_group;

typedef enum { MODEL_INLINE_TEXT, MODEL_INLINE_FIGURE, MODEL_INLINE_LIST } model_inline_kind;

/* How prose writes a figure (<v as="...">): as it is, or worded by its sign. */
typedef enum {
    MODEL_PHRASE_PLAIN,  /* 124.2亿元 */
    MODEL_PHRASE_GROWTH, /* 增长16.33% / 下降3.2% / 持平 */
    MODEL_PHRASE_POINTS, /* 提高1.2个百分点 / 下降… / 持平 */
    MODEL_PHRASE_CHANGE, /* 增加2.3亿元 / 减少… / 持平 */
    MODEL_PHRASE_ABS,    /* the magnitude: 3.2% for -3.2 */
} model_phrase;

typedef struct model_inline {
    model_inline_kind kind;
    char *text;                 /* TEXT */
    const model_figure *figure; /* FIGURE */
    const model_group *group;   /* LIST */
    bool bare;                  /* FIGURE without its unit */
    model_phrase phrase;        /* FIGURE */
    int decimals;               /* FIGURE: rounded to this many places; -1: as written */
    char *in_unit;              /* FIGURE: converted to this unit; NULL: its own */
    char *words[3];             /* FIGURE: up, down, flat words; NULL: the phrase's own */
    int line, col;              /* FIGURE: where the reference is written */
} model_inline;

typedef struct model_paragraph {
    model_inline *parts;
    size_t nparts;
    int line;
} model_paragraph;

typedef struct model_section {
    char *title;
    model_paragraph *paragraphs;
    size_t nparagraphs;
    struct model_section *sections;
    size_t nsections;
    int line;
} model_section;

/* The official document's frame (<frame>, GB/T 9704-2012): NULL members
 * were not written. Texts are printed as written; dates as the document
 * prints them, 2023年12月20日. */
typedef struct model_attachment {
    char *title;
    bool targets; /* content="targets": next year's targets; else the charts */
} model_attachment;

typedef struct model_frame {
    char *copy_number, *secrecy, *urgency; /* 份号, 密级和保密期限, 紧急程度 */
    char *issuer, *number, *signer;        /* 发文机关标志, 发文字号, 签发人 */
    char *to, *signature, *note;           /* 主送机关, 发文机关署名, 附注 */
    char *date;                            /* 成文日期, from <report date> */
    model_attachment *attachments;
    size_t nattachments;
    char **copies_to; /* 抄送 */
    size_t ncopies_to;
    double copies_width; /* of the organs so far, in characters (ASCII half) */
    char *printer, *printed; /* 印发机关, 印发日期 */
} model_frame;

/* Takes one child of <frame> (`element` its name, at LINE:COL of the input
 * `path`) with its text and the attribute that element has (content= of
 * an attachment, whose text is its title; date= of the printer; else NULL),
 * both owned by the frame from then on. A 发文字号 is checked: an error
 * (at its character) unless it reads 机关代字〔YYYY〕N号 with no leading zero.
 * A text set on one line that is wider than its line has room for, and
 * organs to copy to beyond one page's 版记, are errors too. */
void model_frame_add(model_frame *f, const char *path, const char *element, int line, int col,
                     char *text, char *attribute, rg_diags *diags);
/* Sets the 成文日期 from <report date="YYYY-MM-DD"> (or 31 December of the
 * year when none is written) and prints both dates without leading zeros.
 * Does nothing when f is NULL. */
void model_frame_finish(model_frame *f, const char *date, int year);
void model_frame_free(model_frame *f);

typedef struct model {
    char *file; /* the input's path, for messages */
    int year, plan_year;
    char *period; /* the report period of the actuals, e.g. "1-11月" */
    bool full_year; /* the period is the whole year (全年, 1-12月) */
    char *park, *title, *author, *date;
    model_figure **figures; /* every figure, sorted by id */
    size_t nfigures;
    model_indicator *indicators;
    size_t nindicators;
    model_sector *sectors;
    size_t nsectors;
    model_promotion promotion;
    model_group *groups;
    size_t ngroups;
    model_paragraph *intro;
    size_t nintro;
    model_section *sections;
    size_t nsections;
    /* previous="…": the report of the year before, as written, and where. */
    char *previous;
    int previous_line, previous_col;
    struct model *prev; /* that report, once model_chain_load has loaded it; owned */
    size_t nunfilled;   /* figures written 待填, left out */
    model_frame *frame; /* NULL without <frame> */
} model;

typedef struct model_loader model_loader;

/* Compiles the schema. Returns NULL (after printing why) only when the
 * embedded schema itself is broken. */
model_loader *model_loader_new(void);
void model_loader_free(model_loader *ld);

/* Loads and validates one input. Returns NULL with at least one error in
 * diags when the input is unusable; no partial model is returned. */
model *model_load(model_loader *ld, const char *path, rg_diags *diags);
/* The same for an input already in memory; `path` names it in messages. */
model *model_load_buffer(model_loader *ld, const char *path, const char *data, size_t len,
                         rg_diags *diags);
void model_free(model *m);

/* Figure by reference id, or NULL. */
const model_figure *model_figure_find(const model *m, const char *id);
/* The known id nearest to a misspelt one (for "did you mean"), or NULL. */
const char *model_figure_nearest(const model *m, const char *id);
/* The group a <list ref="groups.ID"> names, or NULL; the id of the group
 * nearest to a misspelt one, or NULL. */
const model_group *model_group_find(const model *m, const char *ref);
const char *model_group_nearest(const model *m, const char *ref);
/* For a reference to a derived figure that was not computed (e.g.
 * "x.completion" without a target or forecast): what it is computed from,
 * in words; NULL for another reference. */
const char *model_derived_missing(const char *ref);
/* The candidate nearest to a misspelt name (at most about a quarter of its
 * characters changed, and one more), or NULL. */
const char *model_nearest(const char *name, const char *const *candidates, size_t n);

/* Units that convert (元/万元/亿元/万亿元, 平方米/万平方米/平方公里/公顷,
 * 吨/万吨, 人/万人, 千瓦时/万千瓦时/亿千瓦时, 个/万个): v in `from` as a value in
 * `to`, exactly. False when the units are not of one kind (or the value
 * would overflow); the same unit always converts. */
bool model_unit_convert(rg_dec v, const char *from, const char *to, rg_dec *out);
bool model_units_convert(const char *a, const char *b);
/* True for a period that is the whole year: 全年, 1-12月 (any dash). */
bool model_period_is_full_year(const char *period);

/* Adds the derived figures (ID.completion, ID.growth-needed, …, the names
 * of docs/input-format.md) to m->figures, once every written figure is
 * known; an error in d for figures compared whose units do not convert. */
void model_derive(model *m, rg_diags *d);

/* Consistency checks: totals against their parts, restated figures, growth
 * rates against both years, counts against listed items, a direction word
 * of the prose (增长, 下降…) against the sign of the figure after it. Adds one
 * warning per disagreement, naming both numbers and their lines. */
void model_check(const model *m, rg_diags *diags);

/* Derived figures. Each returns false when it cannot be computed (a figure is
 * missing, the units differ, or the base is zero); *out is then untouched.
 *
 * The exact ones (rg_dec) are what the report, the mail and the workbook
 * show: per cents are computed from the exact quotient and rounded once, half
 * away from zero, to MODEL_PERCENT_DECIMALS places (the workbook's 0.0%);
 * differences and sums are exact. A derived figure that would have more
 * than MODEL_MAX_DIGITS significant digits is not given (false). */
#define MODEL_PERCENT_DECIMALS 1
/* actual / target * 100, or actual / forecast * 100 where there is no target
 * (units converted); never for a rate (unit "%"). Only against a target is it 已完成 / 未完成: against a
 * full-year forecast a part-year actual is progress. */
bool model_completion_percent(const model_indicator *ind, rg_dec *out);
/* (plan / base - 1) * 100, for quantities. False for rates (unit "%"), and
 * without a full-year base (model_plan_base). */
bool model_growth_needed_percent(const model_indicator *ind, rg_dec *out);
/* plan - base in percentage points, for rates (unit "%") only; exact. */
bool model_points_needed_exact(const model_indicator *ind, rg_dec *out);
/* sector output / the park's output (output.actual) * 100. */
bool model_sector_share_percent(const model *m, const model_sector *s, rg_dec *out);
/* The same as doubles, for the cached values of the workbook's formulas:
 * ratios are fractions (0.887 for 88.7%), computed in the same order of
 * operations as the formulas, so a recalculation gives the same double.
 * They are not rounded (show the exact ones), and are false whenever the
 * exact one is, so that the workbook leaves empty what the report does. */
bool model_completion(const model_indicator *ind, double *out);
const model_figure *model_completion_base(const model_indicator *ind);
/* The figure a plan target is measured against: the full-year forecast,
 * else the actual when the report's period is the whole year; NULL when
 * neither is there or in a unit that converts to the plan's. */
const model_figure *model_plan_base(const model_indicator *ind);
/* Why there is no base, in words for a table's note (e.g. "无全年数"), or
 * NULL when there is one or no plan. */
const char *model_plan_base_missing(const model_indicator *ind);
/* f's value in `unit` (model_unit_convert), for a table row stated in one unit. */
bool model_figure_in(const model_figure *f, const char *unit, rg_dec *out);
bool model_growth_needed(const model_indicator *ind, double *out);
bool model_points_needed(const model_indicator *ind, double *out);
bool model_sector_share(const model *m, const model_sector *s, double *out);
/* Exact sums over the promotion categories; false when there are none. */
bool model_promotion_sum(const model *m, rg_dec *projects, rg_dec *amount);

/* Appends the figure as prose writes it: "124.2亿元", or "124.2" when bare. */
void model_figure_write(const model_figure *f, bool bare, rg_buf *out);
/* The phrase named by <v as="…"> (MODEL_PHRASE_PLAIN for NULL). */
model_phrase model_phrase_named(const char *as);
/* Splits words="up,down[,flat]" into out[0..2] (each allocated, NULL where
 * not given); -1 when there are fewer than two or more than three. */
int model_phrase_words(const char *words, char *out[3]);
/* Appends a reference of prose (a FIGURE part) as it asks: phrased by the
 * sign, rounded, converted. */
void model_inline_write(const model_inline *part, rg_buf *out);
/* Appends a paragraph's text with its figures and lists filled in. */
void model_paragraph_write(const model_paragraph *p, rg_buf *out);

#endif
