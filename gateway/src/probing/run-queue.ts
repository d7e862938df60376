// The due checks waiting for an in-flight slot: each probe at most once, first come first served, but probes whose
// targets answer before probes not yet checked, and those before probes whose last check got no answer.

/** What a probe's last check says about its next: its target answered, it has not been checked yet, or it got no answer. */
export type Standing = 'answering' | 'untried' | 'silent';

/**
 * One waiting probe. The links make each list an intrusive doubly linked list: push, remove and shift are O(1) and
 * never walk the queue (a Map iterated from its front walks every deleted slot before the first live one).
 */
interface Waiting<T> {
  readonly item: T;
  readonly dueAt: number;
  readonly list: Fifo<T>;
  prev: Waiting<T> | null;
  next: Waiting<T> | null;
}

class Fifo<T> {
  head: Waiting<T> | null = null;
  tail: Waiting<T> | null = null;
  size = 0;

  push(node: Waiting<T>): void {
    node.prev = this.tail;
    node.next = null;
    if (this.tail === null) this.head = node;
    else this.tail.next = node;
    this.tail = node;
    this.size++;
  }

  unlink(node: Waiting<T>): void {
    if (node.prev === null) this.head = node.next;
    else node.prev.next = node.next;
    if (node.next === null) this.tail = node.prev;
    else node.next.prev = node.prev;
    node.prev = node.next = null;
    this.size--;
  }

  clear(): void {
    this.head = this.tail = null;
    this.size = 0;
  }
}

/**
 * One FIFO list per standing: answering probes (their last check got an answer: connected, refused, ...), untried ones
 * (new, or just started), silent ones (it timed out or found no route). A probe is in one of them at most once, so the
 * queue never holds more entries than there are probes, and a probe keeps its place until it starts: no probe can be
 * overtaken forever by one of its own standing. A list is served only when those before it are empty, so a site that
 * went dark cannot make the rest wait behind thousands of checks that will each hold a slot for their whole timeout.
 */
export class RunQueue<T> {
  private readonly nodes = new Map<T, Waiting<T>>();
  private readonly lists: Record<Standing, Fifo<T>> = { answering: new Fifo<T>(), untried: new Fifo<T>(), silent: new Fifo<T>() };

  get size(): number {
    return this.nodes.size;
  }

  /** Probes of that standing waiting. */
  sizeOf(standing: Standing): number {
    return this.lists[standing].size;
  }

  has(item: T): boolean {
    return this.nodes.has(item);
  }

  /** Queues `item` at the back of its standing's list; false (and nothing changes) when it is already waiting. */
  push(item: T, dueAt: number, standing: Standing): boolean {
    if (this.nodes.has(item)) return false;
    const node: Waiting<T> = { item, dueAt, list: this.lists[standing], prev: null, next: null };
    this.nodes.set(item, node);
    node.list.push(node);
    return true;
  }

  remove(item: T): boolean {
    const node = this.nodes.get(item);
    if (node === undefined) return false;
    this.take(node);
    return true;
  }

  /**
   * The next probe to start and the instant it was due: the longest-waiting answering one, else, if `othersAllowed`,
   * the longest-waiting untried one, else the longest-waiting silent one; undefined when none may start.
   */
  shift(othersAllowed: boolean): { readonly item: T; readonly dueAt: number } | undefined {
    const { answering, untried, silent } = this.lists;
    const node = answering.head ?? (othersAllowed ? untried.head ?? silent.head : null);
    if (node === null) return undefined;
    this.take(node);
    return node;
  }

  clear(): void {
    this.nodes.clear();
    for (const list of Object.values(this.lists)) list.clear();
  }

  private take(node: Waiting<T>): void {
    this.nodes.delete(node.item);
    node.list.unlink(node);
  }
}
