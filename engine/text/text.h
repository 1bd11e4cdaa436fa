/* text.h: text set in a font, for the Text TOP: fontconfig finds a font
 * by family name (or a file is named), FriBidi orders right-to-left and
 * mixed lines, HarfBuzz shapes each run (Arabic joining, combining marks,
 * ligatures, kerning) and FreeType renders the glyphs, each once per font
 * and size into a glyph cache, from which a coverage image is composed.
 *
 * Threads: one font on one thread at a time (the main one). */
#ifndef VITRINE_TEXT_H
#define VITRINE_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct text_font;

/* family: a fontconfig name ("DejaVu Sans", "sans-serif", "Arial" finds
 * its nearest) unless file names a font file. NULL with the reason. The
 * file actually used is reported in *used (owned by the font). */
struct text_font *text_font_open(const char *family, const char *file,
                                 bool bold, bool italic, const char **used,
                                 char *err, size_t errlen);
void text_font_close(struct text_font **f);

enum text_align { TEXT_START = 0, TEXT_CENTER, TEXT_END };
enum text_dir { TEXT_DIR_AUTO = 0, TEXT_DIR_LTR, TEXT_DIR_RTL };

struct text_layout {
    const char *utf8;      /* lines separated by '\n' */
    double size_x, size_y; /* pixels per em, across and up */
    int width, height;     /* of the image */
    enum text_align align_x; /* left, center, right */
    enum text_align align_y; /* bottom, center, top */
    double x, y;            /* offset of the block, pixels, y up */
    bool wrap;              /* break lines at spaces to fit the width */
    double line_spacing;    /* pixels added between lines */
    double tracking;        /* pixels added after each glyph */
    enum text_dir dir;      /* of paragraphs: from their first strong
                             * letter, or set */
};

/* A rectangle of the image, x0 <= x < x1, y0 <= y < y1 (rows bottom to
 * top); empty when x0 >= x1. */
struct text_box {
    int x0, y0, x1, y1;
};

/* Sets the text into cover (width * height bytes, rows bottom to top:
 * 0 no ink, 255 full), cleared first; *ink is where it has ink. Returns
 * the number of glyphs set; -1 with a message when the text is not
 * UTF-8. */
int text_render(struct text_font *f, const struct text_layout *l,
                uint8_t *cover, struct text_box *ink, char *err,
                size_t errlen);

/* Glyphs rendered since the font was opened (the cache's misses): an
 * unchanged text renders none again. */
uint64_t text_glyphs_rendered(const struct text_font *f);

#endif
