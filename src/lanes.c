/* Lanes: which request a line may travel in (see lanes.h). */
#include "lanes.h"

#include <stdlib.h>
#include <string.h>

static uint64_t mix(uint64_t x) { /* a 64-bit finaliser */
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

uint64_t series_hash(const char *line, size_t len) {
  const unsigned char *p = (const unsigned char *)line, *e = p + len;
  while (p < e && (*p == ' ' || *p == '\t'))
    p++;
  uint64_t meas = 0, tags = 0, h = 1469598103934665603ull;
  int part = 0; /* 0: the measurement, then tag pairs */
  for (;;) {
    int end = p >= e || *p == ' ' || *p == '\n' || *p == '\r';
    if (end || *p == ',') {
      if (part == 0)
        meas = mix(h);
      else
        tags += mix(h); /* a sum: the order of the tags does not matter */
      if (end)
        break;
      part++;
      h = 1469598103934665603ull;
      p++;
      continue;
    }
    /* "\," "\=" "\ " stand for the character; any other backslash is
     * itself. */
    if (*p == '\\' && p + 1 < e && (p[1] == ',' || p[1] == '=' || p[1] == ' '))
      p++;
    h = (h ^ *p++) * 1099511628211ull;
  }
  return mix(meas ^ mix(tags + (uint64_t)part));
}

int lanes_init(lanes *l, unsigned n) {
  memset(l, 0, sizeof *l);
  l->n = n ? n : 1;
  l->sealed = calloc(l->n, sizeof *l->sealed);
  l->done = calloc(l->n, sizeof *l->done);
  l->slot = l->n > 1 ? calloc(LANE_SLOTS, sizeof *l->slot) : NULL;
  if (!l->sealed || !l->done || (l->n > 1 && !l->slot)) {
    lanes_free(l);
    return -1;
  }
  return 0;
}

void lanes_free(lanes *l) {
  free(l->sealed);
  free(l->done);
  free(l->slot);
  memset(l, 0, sizeof *l);
}

unsigned lanes_pick(lanes *l, const char *line, size_t len) {
  if (l->n == 1)
    return 0;
  lane_slot *s = &l->slot[series_hash(line, len) & (LANE_SLOTS - 1)];
  l->last = s;
  /* Free when the batch that last held it has finished (and with it,
   * every earlier batch of its lane). */
  if (!s->used ||
      __atomic_load_n(&l->done[s->lane], __ATOMIC_ACQUIRE) > s->job) {
    s->lane = l->rr;
    s->used = 1;
    l->rr = (l->rr + 1) % l->n;
  }
  return s->lane;
}

void lanes_placed(lanes *l) {
  if (l->last)
    l->last->job = l->sealed[l->last->lane];
}

void lanes_sealed(lanes *l, unsigned lane) { l->sealed[lane]++; }

void lanes_finished(lanes *l, unsigned lane) {
  __atomic_fetch_add(&l->done[lane], 1, __ATOMIC_RELEASE);
}
