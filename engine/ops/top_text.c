/* textTOP: text set in a font (engine/text: fontconfig, FriBidi,
 * HarfBuzz, FreeType), drawn in `fontcolor` over `bgcolor`. The text is
 * `text`, or a DAT's (`dat`: its text, or the cell at `rowindex`,
 * `colindex` of a table). It cooks only when a parameter or its DAT
 * changes, and a change of colours alone sets no text again: unchanged
 * text costs nothing per frame. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "../text/text.h"
#include "top_util.h"
#include "top_text.glsl.h"

struct text {
    struct top_common common;
    char *text, *dat;
    int rowindex, colindex;
    char *font, *fontfile;
    int bold, italic;
    double fontsizex, fontsizey;
    int keepfontratio;
    int alignx, aligny;
    double position[2];
    int wordwrap;
    double linespacing;
    double tracking[2];
    int readingdirection;
    double fontcolor[3], fontalpha;
    double bgcolor[3], bgalpha;

    /* state */
    struct text_font *f;
    char *font_key;            /* what f was opened for */
    struct text_layout laid;   /* what cover holds (utf8: laid_text) */
    char *laid_text;
    uint8_t *cover;
    struct gpu_tex *cover_tex;
    struct text_box ink; /* where cover has ink */
};

/* The text to set: the DAT's when one is named, else `text`. NULL with
 * the op's error set. */
static const char *source(struct op *op, struct text *p)
{
    if (!*p->dat)
        return p->text;
    struct op *d = op_par_ref(op, op_par(op, "dat"));
    if (!d) {
        op_set_error(op, "dat: '%s' does not exist", p->dat);
        return NULL;
    }
    if (!d->dat.is_table)
        return d->dat.text ? d->dat.text : "";
    const char *c = dat_cell(&d->dat, p->rowindex, p->colindex);
    return c ? c : "";
}

static bool font_ready(struct op *op, struct text *p)
{
    char key[1024];
    snprintf(key, sizeof(key), "%s\n%s\n%d%d", p->font, p->fontfile, p->bold,
             p->italic);
    if (p->f && p->font_key && strcmp(key, p->font_key) == 0)
        return true;
    char *file = *p->fontfile ? graph_resolve_file(op->graph, p->fontfile)
                              : NULL;
    char err[512];
    const char *used = NULL;
    struct text_font *f = text_font_open(p->font, file, p->bold, p->italic,
                                         &used, err, sizeof(err));
    free(file);
    if (!f) {
        op_set_error(op, "font: %s", err);
        return false; /* the last font, if any, stays */
    }
    text_font_close(&p->f);
    p->f = f;
    free(p->font_key);
    p->font_key = xstrdup(key);
    free(p->laid_text);
    p->laid_text = NULL;
    return true;
}

static bool same_layout(const struct text *p, const struct text_layout *l)
{
    struct text_layout a = p->laid, b = *l;
    a.utf8 = b.utf8 = NULL;
    return p->laid_text && strcmp(p->laid_text, l->utf8) == 0 &&
           memcmp(&a, &b, sizeof(a)) == 0;
}

static int cook(struct op *op, const struct cook_ctx *ctx)
{
    (void)ctx;
    struct text *p = op->priv;
    struct gpu *gpu = top_gpu(op);
    if (!gpu)
        return -1;
    struct gpu_tex *out = top_output_size(op, op->graph->width,
                                          op->graph->height);
    if (!out)
        return -1;
    const char *utf8 = source(op, p);
    if (!utf8 || !font_ready(op, p))
        return -1;
    struct text_layout l;
    memset(&l, 0, sizeof(l)); /* compared whole, padding included */
    l.utf8 = utf8;
    l.size_x = p->fontsizex;
    l.size_y = p->keepfontratio ? p->fontsizex : p->fontsizey;
    l.width = out->w;
    l.height = out->h;
    l.align_x = (enum text_align)p->alignx;
    l.align_y = (enum text_align)p->aligny;
    l.x = p->position[0];
    l.y = p->position[1];
    l.wrap = p->wordwrap;
    l.line_spacing = p->linespacing + p->tracking[1];
    l.tracking = p->tracking[0];
    l.dir = (enum text_dir)p->readingdirection;
    if (!same_layout(p, &l)) {
        size_t n = (size_t)out->w * (size_t)out->h;
        bool fresh = !p->cover_tex || p->cover_tex->w != out->w ||
                     p->cover_tex->h != out->h;
        if (fresh) {
            if (p->cover_tex)
                gpu_tex_release(gpu, &p->cover_tex);
            p->cover_tex = gpu_tex_acquire(gpu, out->w, out->h, GPU_R8);
            p->cover = xrealloc(p->cover, n);
        }
        char err[256];
        struct text_box was = p->ink;
        if (text_render(p->f, &l, p->cover, &p->ink, err, sizeof(err)) < 0) {
            op_set_error(op, "%s", err);
            return -1;
        }
        /* only the rows that had ink or have it now change */
        int y0 = p->ink.y0, y1 = p->ink.y1;
        if (fresh) {
            y0 = 0;
            y1 = out->h;
        } else if (was.x0 < was.x1) {
            y0 = p->ink.x0 < p->ink.x1 && p->ink.y0 < was.y0 ? p->ink.y0
                                                              : was.y0;
            y1 = p->ink.x0 < p->ink.x1 && p->ink.y1 > was.y1 ? p->ink.y1
                                                              : was.y1;
        }
        gpu_upload_rows_of(p->cover_tex, p->cover, y0, y1, 1,
                           GL_UNSIGNED_BYTE);
        free(p->laid_text);
        p->laid_text = xstrdup(utf8);
        p->laid = l;
    }
    struct gpu_program *prog = top_program(op, top_text_glsl,
                                           "textTOP's shader");
    if (!prog)
        return top_black(op, out);
    /* the background everywhere, the text's pass only where it has ink */
    double fa = p->fontalpha, ba = p->bgalpha;
    gpu_clear(out, (float)(p->bgcolor[0] * ba), (float)(p->bgcolor[1] * ba),
              (float)(p->bgcolor[2] * ba), (float)ba);
    if (p->ink.x0 >= p->ink.x1)
        return 0;
    glEnable(GL_SCISSOR_TEST);
    glScissor(p->ink.x0, p->ink.y0, p->ink.x1 - p->ink.x0,
              p->ink.y1 - p->ink.y0);
    glUseProgram(prog->id);
    gpu_bind_exact(gpu, p->cover_tex, 0); /* drawn at its own size */
    top_uniform1i(prog, "uCover", 0);
    top_uniform4f(prog, "uFont", (float)(p->fontcolor[0] * fa),
                  (float)(p->fontcolor[1] * fa), (float)(p->fontcolor[2] * fa),
                  (float)fa);
    top_uniform4f(prog, "uBack", (float)(p->bgcolor[0] * ba),
                  (float)(p->bgcolor[1] * ba), (float)(p->bgcolor[2] * ba),
                  (float)ba);
    gpu_draw_fullscreen(gpu);
    glDisable(GL_SCISSOR_TEST);
    return 0;
}

static void destroy(struct op *op)
{
    struct text *p = op->priv;
    text_font_close(&p->f);
    if (p->cover_tex && op->graph->gpu)
        gpu_tex_release(op->graph->gpu, &p->cover_tex);
    free(p->cover);
    free(p->font_key);
    free(p->laid_text);
}

static size_t info(const struct op *op, struct op_info_item *items,
                   size_t n)
{
    const struct text *p = op->priv;
    struct op_info_item all[] = {
        {"glyphs_rendered", p->f ? (double)text_glyphs_rendered(p->f) : 0},
    };
    size_t k = ARRAY_LEN(all) < n ? ARRAY_LEN(all) : n;
    memcpy(items, all, k * sizeof(*items));
    return k;
}

static const struct par_menu_item alignxs[] = {
    {"left", "Left"}, {"center", "Center"}, {"right", "Right"}, {0},
};
static const struct par_menu_item alignys[] = {
    {"bottom", "Bottom"}, {"center", "Center"}, {"top", "Top"}, {0},
};
static const struct par_menu_item directions[] = {
    {"auto", "From the Text"}, {"lefttoright", "Left to Right"},
    {"righttoleft", "Right to Left"}, {0},
};

static const struct par_def pars[] = {
    TOP_COMMON_PARS(struct text),
    {.name = "text", .label = "Text", PARAM_STRING(struct text, text)},
    {.name = "dat", .label = "DAT", .families = OP_FAMILY_BIT(OP_DAT),
     PARAM_OP(struct text, dat)},
    {.name = "rowindex", .label = "DAT Row", .norm = {0, 10},
     .lim = {0, 1e6}, .clamp = PAR_CLAMP_BOTH,
     PARAM_INT(struct text, rowindex)},
    {.name = "colindex", .label = "DAT Col", .norm = {0, 10},
     .lim = {0, 1e6}, .clamp = PAR_CLAMP_BOTH,
     PARAM_INT(struct text, colindex)},
    {.name = "font", .label = "Font", .def_str = "sans-serif",
     PARAM_STRING(struct text, font)},
    {.name = "fontfile", .label = "Font File",
     PARAM_FILE(struct text, fontfile)},
    {.name = "bold", .label = "Bold", PARAM_TOGGLE(struct text, bold)},
    {.name = "italic", .label = "Italic", PARAM_TOGGLE(struct text, italic)},
    {.name = "fontsizex", .label = "Font Size X", .def = {12},
     .norm = {1, 200}, .lim = {1, 4096}, .clamp = PAR_CLAMP_BOTH,
     PARAM_FLOAT(struct text, fontsizex)},
    {.name = "fontsizey", .label = "Font Size Y", .def = {12},
     .norm = {1, 200}, .lim = {1, 4096}, .clamp = PAR_CLAMP_BOTH,
     PARAM_FLOAT(struct text, fontsizey)},
    {.name = "keepfontratio", .label = "Keep Font Ratio", .def = {1},
     PARAM_TOGGLE(struct text, keepfontratio)},
    {.name = "alignx", .label = "Horizontal Align", .menu = alignxs,
     .def_str = "center", PARAM_MENU(struct text, alignx)},
    {.name = "aligny", .label = "Vertical Align", .menu = alignys,
     .def_str = "center", PARAM_MENU(struct text, aligny)},
    {.name = "position", .label = "Position", .size = 2, .suffixes = "xy",
     .norm = {-500, 500}, PARAM_FLOAT(struct text, position[0])},
    {.name = "wordwrap", .label = "Word Wrap",
     PARAM_TOGGLE(struct text, wordwrap)},
    {.name = "linespacing", .label = "Line Spacing", .norm = {-20, 100},
     PARAM_FLOAT(struct text, linespacing)},
    {.name = "tracking", .label = "Tracking", .size = 2, .suffixes = "xy",
     .norm = {-10, 50}, PARAM_FLOAT(struct text, tracking[0])},
    {.name = "readingdirection", .label = "Reading Direction",
     .menu = directions, PARAM_MENU(struct text, readingdirection)},
    {.name = "fontcolor", .label = "Font Color", .size = 3, .suffixes = "rgb",
     .def = {1, 1, 1}, .norm = {0, 1}, PARAM_FLOAT(struct text, fontcolor[0])},
    {.name = "fontalpha", .label = "Font Alpha", .def = {1}, .norm = {0, 1},
     PARAM_FLOAT(struct text, fontalpha)},
    {.name = "bgcolor", .label = "Background Color", .size = 3,
     .suffixes = "rgb", .norm = {0, 1}, PARAM_FLOAT(struct text, bgcolor[0])},
    {.name = "bgalpha", .label = "Background Alpha", .norm = {0, 1},
     PARAM_FLOAT(struct text, bgalpha)},
    {0},
};

const struct op_type op_top_text = {
    .name = "text",
    .optype = "textTOP",
    .label = "Text",
    .about = "`text` (or a DAT's, `dat`) in `font` (a fontconfig name) or "
             "`fontfile`, `fontsizex`, shaped by HarfBuzz (right-to-left "
             "and combining scripts), `alignx`/`aligny`, `position`, "
             "`wordwrap`, `linespacing`; `fontcolor` over `bgcolor`",
    .family = OP_TOP,
    .min_inputs = 0,
    .max_inputs = 0,
    .flags = OPT_GENERATOR,
    .pars = pars,
    .priv_size = sizeof(struct text),
    .destroy = destroy,
    .cook = cook,
    .info = info,
};
