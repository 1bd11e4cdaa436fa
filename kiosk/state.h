/* state.h: what survives a reload and a restart, and the record of starts
 * that tells a crash loop.
 *
 * The state of a network is text: for each op whose type saves some
 * (input channel values of OSC and MIDI ins, a timer's position), a line
 * "op PATH OPTYPE" and the type's own lines; then for each value of
 * op.storage a line "stored PATH KEY VALUE", the key and the value
 * pickled and in base64 (files of the earlier format, one line "storage
 * BASE64" for all, are read too). On disk it gets a header and a
 * closing "end CRC32" line, and is written atomically (a temporary file,
 * fsync, rename, fsync of the folder): after a crash at any moment the
 * file is the old state or the new one, whole. A file that fails its
 * check is moved aside with a warning and the runtime starts fresh.
 *
 * Saving runs in the background (state_saver): the main thread collects
 * the ops' lines and the pickles of storage (those of values that cannot
 * have changed are kept from the last save), a thread of its own encodes,
 * checksums and writes them, so that a large op.storage does not hold
 * the frames.
 *
 * Threads: main thread, but for the saver's own. */
#ifndef VITRINE_STATE_H
#define VITRINE_STATE_H

#include <stdbool.h>
#include <stddef.h>

struct graph;

struct py_storage;

/* The graph's state as text, newly allocated: the ops' lines and
 * storage (for a reload, in memory). */
char *state_capture(struct graph *g);
/* The ops' lines only. */
char *state_capture_ops(struct graph *g);
/* Puts state back into the ops of the same paths and types (and storage
 * through Python, which must be attached to g). Returns how many ops got
 * something back. */
int state_apply(struct graph *g, const char *text);

/* The file name of a network's state in the state folder:
 * "network-<hash of the network file's absolute path>.state". */
char *state_file_name(const char *network_file);
/* Writes text as dir/name atomically. 0, or -1 with a message. */
int state_save(const char *dir, const char *name, const char *network_file,
               const char *text, char *err, size_t n);
/* Writing dir/name on a thread of its own: saver_start takes a copy of
 * the ops' text and st (freed once written); false when the last save is
 * still being written. saver_poll: 0 nothing started, 2 still writing
 * (wait: waits instead), 1 written, -1 failed (the message in err); it
 * frees what the finished save held, so call it on the main thread.
 * saver_destroy waits for a save in progress. */
struct state_saver;
struct state_saver *saver_create(void);
bool saver_start(struct state_saver *sv, const char *dir, const char *name,
                 const char *network_file, const char *ops,
                 struct py_storage *st);
int saver_poll(struct state_saver *sv, bool wait, char *err, size_t n);
void saver_destroy(struct state_saver **sv);

/* The text saved in dir/name; NULL when there is none, or when the file
 * is unreadable or corrupt (then moved aside to NAME.corrupt-TIME, with
 * a warning). */
char *state_load(const char *dir, const char *name);

/* Makes dir (one level) when it is missing, removes the temporary files
 * of saves that a kill cut short (runs that are gone), records this start
 * in dir/starts and returns how many earlier runs ended uncleanly
 * (crashed, killed, aborted) and started within the last window seconds;
 * -1 with a message when the folder cannot be made. When dir cannot be
 * written (read-only, full), the record goes to the folder elsewhere
 * (made when missing; *recorded_elsewhere says so) and is read from
 * there too, so that a clean stop is still known as one. */
int runs_start(const char *dir, const char *elsewhere, double window,
               bool *recorded_elsewhere, char *err, size_t n);
/* Marks this run as ended cleanly (in dir, else elsewhere). */
void runs_clean_exit(const char *dir, const char *elsewhere);

/* Writes data to dir/name through a temporary file, fsync and rename,
 * then fsyncs dir (made again when it was deleted). 0, or -1 with a
 * message. */
int write_atomic(const char *dir, const char *name, const void *data,
                 size_t len, char *err, size_t n);

#endif
