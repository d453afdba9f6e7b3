/* The intrusive lists of the whole tree, header-only, after libuv's queue.h
 * and libdill's list.h: the node lives inside the object it links, so
 * linking never allocates, and SB_CONTAINER_OF (sb.h) gets the object back.
 *   sb_list   a circular doubly-linked list with a sentinel head: O(1)
 *             insert and remove anywhere (wait lists, a runtime's live
 *             tasks, a reactor slot's waits). A node that is on no list has
 *             next == NULL, so a zeroed node reads "not linked".
 *   sb_queue  a singly-linked FIFO of sb_snode: push at the tail, pop at
 *             the head, a whole chain at once (run queues, job queues, the
 *             injection queue).
 *   sb_snode  also the link of a LIFO stack (free lists: sb_stack_push,
 *             sb_stack_pop on a plain head pointer) and of the lock-free
 *             inbox (runtimes/os/inbox.h), which hands whole chains over.
 * None is thread-safe: a lock, or a single owner, protects each list. */
#ifndef SB_LIST_H
#define SB_LIST_H

#include <stddef.h>

/* ---- sb_list: doubly linked, circular, with a sentinel head ------------ */

typedef struct sb_list {
  struct sb_list *next; /* the next node, or the head; NULL when unlinked */
  struct sb_list *prev; /* the previous node, or the head */
} sb_list;

/* Makes head an empty list. A head cannot be zero-initialised. */
static inline void sb_list_init(sb_list *head) {
  head->next = head->prev = head;
}

static inline int sb_list_empty(const sb_list *head) {
  return head->next == head;
}

/* 1 if node n is on some list. */
static inline int sb_list_linked(const sb_list *n) {
  return n->next != NULL;
}

static inline void sb__list_insert(sb_list *n, sb_list *prev, sb_list *next) {
  n->prev = prev;
  n->next = next;
  prev->next = n;
  next->prev = n;
}

/* Links n, which is on no list, last. */
static inline void sb_list_push_back(sb_list *head, sb_list *n) {
  sb__list_insert(n, head->prev, head);
}

/* Links n, which is on no list, first. */
static inline void sb_list_push_front(sb_list *head, sb_list *n) {
  sb__list_insert(n, head, head->next);
}

/* Unlinks n, which is on a list; afterwards it reads "not linked". */
static inline void sb_list_remove(sb_list *n) {
  n->prev->next = n->next;
  n->next->prev = n->prev;
  n->next = n->prev = NULL;
}

/* The first node, or NULL when the list is empty. */
static inline sb_list *sb_list_first(const sb_list *head) {
  return head->next == head ? NULL : head->next;
}

/* Unlinks and returns the first node, or NULL when the list is empty. */
static inline sb_list *sb_list_pop_front(sb_list *head) {
  sb_list *n = sb_list_first(head);
  if (n != NULL)
    sb_list_remove(n);
  return n;
}

/* Visits every node; the body may unlink (or free) pos, not others. */
#define SB_LIST_FOREACH_SAFE(pos, tmp, head)                                   \
  for ((pos) = (head)->next, (tmp) = (pos)->next; (pos) != (head);             \
       (pos) = (tmp), (tmp) = (pos)->next)

/* ---- sb_snode and sb_queue: singly linked ------------------------------ */

typedef struct sb_snode {
  struct sb_snode *next; /* the next node; NULL at the end */
} sb_snode;

typedef struct sb_queue {
  sb_snode *head; /* popped first; NULL when empty */
  sb_snode *tail; /* pushed last; NULL when empty */
} sb_queue;

static inline void sb_queue_init(sb_queue *q) {
  q->head = q->tail = NULL;
}

static inline int sb_queue_empty(const sb_queue *q) {
  return q->head == NULL;
}

/* Appends the chain first..last (linked through next; last->next is
 * ignored) in one step. */
static inline void sb_queue_push_chain(sb_queue *q, sb_snode *first,
                                       sb_snode *last) {
  last->next = NULL;
  if (q->tail != NULL)
    q->tail->next = first;
  else
    q->head = first;
  q->tail = last;
}

static inline void sb_queue_push(sb_queue *q, sb_snode *n) {
  sb_queue_push_chain(q, n, n);
}

/* Removes and returns the oldest node, or NULL when the queue is empty. */
static inline sb_snode *sb_queue_pop(sb_queue *q) {
  sb_snode *n = q->head;
  if (n != NULL) {
    q->head = n->next;
    if (q->head == NULL)
      q->tail = NULL;
  }
  return n;
}

/* Pushes n on the stack whose top is *top. */
static inline void sb_stack_push(sb_snode **top, sb_snode *n) {
  n->next = *top;
  *top = n;
}

/* Pops the top of the stack *top, or returns NULL when it is empty. */
static inline sb_snode *sb_stack_pop(sb_snode **top) {
  sb_snode *n = *top;
  if (n != NULL)
    *top = n->next;
  return n;
}

#endif /* SB_LIST_H */
