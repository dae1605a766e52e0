/**
 * Who is reported next: persons are scheduled at future report indices, and the generator takes whoever
 * is due before creating anyone new — so the number of active persons, and the memory they take, stays
 * bounded however long the scenario runs.
 */
interface Due<T> {
  readonly at: number;
  readonly seq: number;
  readonly item: T;
}

/** A min-heap of items by the report index they are due at (ties: first scheduled first). */
export class DueQueue<T> {
  private readonly heap: Due<T>[] = [];
  private seq = 0;

  push(at: number, item: T): void {
    const h = this.heap;
    h.push({ at, seq: this.seq++, item });
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  /** The item due first, if due at or before `index`. */
  popDue(index: number): T | undefined {
    const h = this.heap;
    const top = h[0];
    if (top === undefined || top.at > index) return undefined;
    const last = h.pop();
    if (last !== undefined && h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        let m = i;
        if (l < h.length && this.less(l, m)) m = l;
        if (l + 1 < h.length && this.less(l + 1, m)) m = l + 1;
        if (m === i) break;
        this.swap(i, m);
        i = m;
      }
    }
    return top.item;
  }

  private less(a: number, b: number): boolean {
    const x = this.heap[a];
    const y = this.heap[b];
    if (x === undefined || y === undefined) return false;
    return x.at < y.at || (x.at === y.at && x.seq < y.seq);
  }

  private swap(a: number, b: number): void {
    const h = this.heap;
    const x = h[a];
    const y = h[b];
    if (x === undefined || y === undefined) return;
    h[a] = y;
    h[b] = x;
  }
}
