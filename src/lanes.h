/* Private: lanes, so that parallel requests never reorder one series.
 *
 * A write may have several requests in flight; influxd stores them in
 * whatever order they arrive, so two requests holding the same series (and
 * time) could store the older value last. Each line goes to a lane, each
 * lane sends its batches one at a time and in order (retries included),
 * and a series is in one lane while any batch of it is unfinished. A
 * series with nothing unfinished may move to another lane: that is how
 * new series spread over the lanes. Series are told apart by a hash of
 * their key (measurement and tag set, in any tag order), kept in a table
 * of slots; two series that share a slot share a lane, which costs
 * parallelism, never order. */
#ifndef INFLUXC_LANES_H
#define INFLUXC_LANES_H

#include <stddef.h>
#include <stdint.h>

#include "internal.h"

#define LANE_SLOTS 4096u

typedef struct lane_slot {
  uint32_t lane;
  uint32_t used;
  uint64_t job; /* number, in its lane, of the last batch holding it */
} lane_slot;

typedef struct lanes {
  unsigned n;
  unsigned rr;      /* the lane a free series goes to next */
  uint64_t *sealed; /* per lane: batches sealed (= the open one's number);
                       the producer's */
  uint64_t *done;   /* per lane: batches finished (atomic; the senders') */
  lane_slot *slot;  /* LANE_SLOTS */
  lane_slot *last;  /* slot of the last lanes_pick */
} lanes;

/* The series key's hash of one line of line protocol (the text up to the
 * first unescaped space; tags in any order hash alike). */
INFLUX_PRIVATE uint64_t series_hash(const char *line, size_t len);

INFLUX_PRIVATE int lanes_init(lanes *l, unsigned n);
INFLUX_PRIVATE void lanes_free(lanes *l);
/* The lane for `line` (producer side). Then, once the line is in that
 * lane's open batch, lanes_placed records which batch holds it. */
INFLUX_PRIVATE unsigned lanes_pick(lanes *l, const char *line, size_t len);
INFLUX_PRIVATE void lanes_placed(lanes *l);
/* The open batch of `lane` was sealed (producer side). */
INFLUX_PRIVATE void lanes_sealed(lanes *l, unsigned lane);
/* A batch of `lane` is finished: stored, refused or given up (sender
 * side; batches of a lane finish in the order they were sealed). */
INFLUX_PRIVATE void lanes_finished(lanes *l, unsigned lane);

#endif
