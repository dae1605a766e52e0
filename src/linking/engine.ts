/**
 * The linking engine: clusters mentions (a reported person in a referral) into subjects, one mention at
 * a time, in arrival order. Deterministic: replaying the same mentions in the same order gives the same
 * subjects, so `conduit link rebuild` reproduces what incremental linking built.
 *
 * The rule (documented in docs/linking.md):
 * 1. A new mention joins every subject with which it shares a strong key (same account, device, verified
 *    e-mail or phone).
 * 2. It joins a subject with which it shares only weak keys when those keys are of at least two
 *    different kinds (e.g. an unverified e-mail and an IP address within the window, or a screen-name
 *    skeleton and an IP address): one weak coincidence is common, two independent ones are not.
 * 3. A value seen with more distinct accounts than its kind's cap is "too common to link" from then on:
 *    it is reported, and every subject that was joined through it is rebuilt without it.
 * 4. An analyst's split keeps the two sides apart for good; an analyst's merge joins the accounts
 *    (as a strong key of kind `analyst`).
 * Every join keeps its evidence: the two mentions, the keys they share and the rule.
 *
 * Cost per mention: one interning per key, a look at the few subjects that hold each key (one
 * representative mention per subject), a union-find join. Memory: a few arrays per mention and key.
 */
import { createHash } from 'node:crypto';
import type { LinkKind, LinkKey, Mention } from './keys.ts';
import { WEAK_KINDS, mentionId } from './keys.ts';
import type { LinkRules } from './rules.ts';

export interface Evidence {
  /** The mention that was being linked, and the earlier mention it shares the keys with. */
  readonly from: string;
  readonly to: string;
  readonly rule: 'strong' | 'weak-corroborated' | 'analyst-merge';
  /** The keys the two share (see `describeKey`). */
  readonly keys: readonly string[];
}

export interface SubjectState {
  readonly id: string;
  /** Mention ids in arrival order, and each one's account. */
  readonly mentions: readonly string[];
  readonly mentionAccounts: readonly string[];
  /** Distinct accounts. */
  readonly accounts: readonly string[];
  readonly evidence: readonly Evidence[];
  /** Distinct referrals, and when the first and the last arrived. */
  readonly referrals: number;
  readonly firstSeen: string;
  readonly lastSeen: string;
  /** Every link key its mentions hold (for matching a register). */
  readonly keys: readonly string[];
}

/** An analyst's split: the accounts of `side` are never again in one subject with those of `other`. */
export interface SplitDecision {
  readonly id: string;
  readonly side: readonly string[];
  readonly other: readonly string[];
}

/** An analyst's merge: these accounts are one person. */
export interface MergeDecision {
  readonly id: string;
  readonly accounts: readonly string[];
}

export interface TooCommon {
  readonly kind: LinkKind;
  readonly key: string;
  readonly accounts: number;
}

interface Join {
  readonly root: number;
  readonly via: number;
  strong: boolean;
  mask: number;
  readonly keys: number[];
}

const KIND_BIT: Readonly<Record<LinkKind, number>> = {
  account: 1,
  device: 2,
  email: 4,
  phone: 8,
  ip: 16,
  nickname: 32,
  analyst: 64,
};
const WEAK_MASK = WEAK_KINDS.reduce((m, k) => m | KIND_BIT[k], 0);

function bits(x: number): number {
  let n = 0;
  for (let v = x; v; v &= v - 1) n++;
  return n;
}

/** Key → array slot, growing. */
class Interner {
  private readonly ids = new Map<string, number>();
  readonly kind: LinkKind[] = [];
  readonly strong: boolean[] = [];
  readonly name: string[] = [];
  get(k: LinkKey): number {
    let id = this.ids.get(k.key);
    if (id === undefined) {
      id = this.kind.length;
      this.ids.set(k.key, id);
      this.kind.push(k.kind);
      this.strong.push(k.strong);
      this.name.push(k.key);
    }
    return id;
  }
  id(key: string): number | undefined {
    return this.ids.get(key);
  }
  get size(): number {
    return this.kind.length;
  }
}

export class Linker {
  private readonly keys = new Interner();
  /**
   * Per key: one mention per subject that holds it (stale duplicates are dropped on the way). Most keys
   * are held by one subject only, so the first representative is kept apart from the rare others.
   */
  private readonly rep1: number[] = [];
  private readonly repsMore = new Map<number, number[]>();
  private readonly scratch: number[] = [];
  /** Per key: the distinct accounts seen with it (the first apart, the same way), until too common. */
  private readonly acc1: number[] = [];
  private readonly accMore = new Map<number, number[]>();
  private readonly common = new Set<number>();
  private readonly tooCommon: TooCommon[] = [];

  private readonly accountIds = new Map<string, number>();
  private readonly accountNames: string[] = [];
  private readonly accountMentions: number[][] = [];

  /** Per referral, its first mention (a referral's mentions are added together, slot by slot). */
  private readonly referralFirst = new Map<string, number>();
  private readonly mentionSlot: number[] = [];
  private readonly idOfFirst = new Map<number, string>();
  private readonly firstOfId = new Map<string, number>();
  private readonly mentionAccount: number[] = [];
  private readonly mentionAt: string[] = [];
  private readonly mentionReferral: string[] = [];
  /** Every mention's key ids, back to back (one array, not a million small ones); `keyEnd[m]` ends m's. */
  private keyPool = new Int32Array(1 << 16);
  private readonly keyEnd: number[] = [];
  private readonly mentionGroups: (readonly string[])[] = [];
  private parent = new Int32Array(1024);
  /** Per root: members in arrival order, evidence, and constraint labels from splits. */
  private readonly members: (number[] | undefined)[] = [];
  private readonly evidence: (Evidence[] | undefined)[] = [];
  private readonly labels: (Set<string> | undefined)[] = [];
  private readonly accountLabels = new Map<number, string[]>();
  private readonly mergeKeys = new Map<number, LinkKey[]>();
  private readonly dirty = new Set<number>();
  private readonly gone = new Set<string>();

  constructor(private readonly rules: LinkRules) {}

  get mentionCount(): number {
    return this.mentionReferral.length;
  }

  get keyCount(): number {
    return this.keys.size;
  }

  /** Values that became too common to link, in the order they did. */
  commonValues(): readonly TooCommon[] {
    return this.tooCommon;
  }

  /** Links one mention (`subjectOf` tells where it went). */
  add(m: Mention): void {
    const idx = this.mentionReferral.length;
    if (m.slot === 0 || !this.referralFirst.has(m.referralId))
      this.referralFirst.set(m.referralId, idx - m.slot);
    this.mentionSlot.push(m.slot);
    this.mentionAt.push(m.at);
    this.mentionReferral.push(m.referralId);
    const account = this.account(m.account);
    this.mentionAccount.push(account);
    this.accountMentions[account]?.push(idx);
    this.mentionGroups.push(m.groups);
    const extra = this.mergeKeys.get(account) ?? [];
    // Stored keys as their ids; probe keys (looked up only) as ~id, and only when some mention stored them.
    const ids: number[] = [];
    for (const k of m.keys) {
      if (k.probe !== true) ids.push(this.keys.get(k));
      else {
        const id = this.keys.id(k.key);
        if (id !== undefined) ids.push(~id);
      }
    }
    for (const k of extra) ids.push(this.keys.get(k));
    const start = this.keyEnd.length === 0 ? 0 : (this.keyEnd[this.keyEnd.length - 1] ?? 0);
    if (start + ids.length > this.keyPool.length) {
      const grown = new Int32Array(Math.max(this.keyPool.length * 2, start + ids.length));
      grown.set(this.keyPool);
      this.keyPool = grown;
    }
    this.keyPool.set(ids, start);
    this.keyEnd.push(start + ids.length);
    const keyIds = this.keysOf(idx);
    if (idx >= this.parent.length) {
      const grown = new Int32Array(this.parent.length * 2);
      grown.set(this.parent);
      this.parent = grown;
    }
    this.reset(idx);

    const newlyCommon: number[] = [];
    for (const k of keyIds)
      if (k >= 0 && !this.common.has(k) && this.countAccount(k, account)) newlyCommon.push(k);
    this.link(idx, (k) => this.repsOf(k));
    this.remember(idx);
    for (const k of newlyCommon) this.retire(k);
  }

  /** Subjects that hold this link key (none once it is too common). */
  subjectsHolding(key: string): string[] {
    const k = this.keys.id(key);
    if (k === undefined || this.common.has(k)) return [];
    return [...new Set(this.allReps(k).map((r) => this.subjectId(this.find(r))))];
  }

  /** The subject a mention is in. */
  subjectOf(mention: string): string | undefined {
    const idx = this.mentionIndex(mention);
    return idx === undefined ? undefined : this.subjectId(this.find(idx));
  }

  /** Every subject with its members, for a rebuild comparison or a full write. */
  *subjects(): Generator<SubjectState> {
    for (let i = 0; i < this.mentionReferral.length; i++) if (this.find(i) === i) yield this.state(i);
  }

  subject(id: string): SubjectState | undefined {
    const idx = this.firstOfId.get(id);
    if (idx === undefined) return undefined;
    const root = this.find(idx);
    return this.subjectId(root) === id ? this.state(root) : undefined;
  }

  /** Forgets what changed (when nothing is written: benchmarks). */
  forgetChanges(): void {
    this.dirty.clear();
    this.gone.clear();
  }

  /**
   * Subjects changed since the last call, and ids of subjects that no longer exist (absorbed or split
   * apart), so the store can write only what moved.
   */
  drainChanges(): { readonly changed: SubjectState[]; readonly removed: string[] } {
    const roots = new Set<number>();
    for (const r of this.dirty) roots.add(this.find(r));
    this.dirty.clear();
    const changed = [...roots].map((r) => this.state(r));
    const live = new Set(changed.map((s) => s.id));
    const removed = [...this.gone].filter((id) => !live.has(id));
    this.gone.clear();
    return { changed, removed };
  }

  /** Group identifiers of a subject's mentions (communities are built from them). */
  groupsOf(mention: string): readonly string[] {
    const idx = this.mentionIndex(mention);
    return idx === undefined ? [] : (this.mentionGroups[idx] ?? []);
  }

  /** Applies an analyst's split now and for every later mention; returns the subjects it produced. */
  split(d: SplitDecision): SubjectState[] {
    const touched = new Set<number>();
    const label = (accounts: readonly string[], side: string): void => {
      for (const name of accounts) {
        const a = this.account(name);
        const list = this.accountLabels.get(a) ?? [];
        list.push(`${d.id}:${side}`);
        this.accountLabels.set(a, list);
        for (const m of this.accountMentions[a] ?? []) touched.add(this.find(m));
      }
    };
    label(d.side, 'a');
    label(d.other, 'b');
    const out = new Map<number, SubjectState>();
    for (const root of touched) for (const r of this.recompute(root)) out.set(r, this.state(r));
    return [...out.values()];
  }

  /**
   * Applies an analyst's merge now and for every later mention of the accounts. Refused (undefined) when
   * a split keeps two of the accounts apart.
   */
  merge(d: MergeDecision): SubjectState | undefined {
    const key: LinkKey = { key: `x|${d.id}`, kind: 'analyst', strong: true };
    const accounts = d.accounts.map((a) => this.account(a));
    const roots = [
      ...new Set(accounts.flatMap((a) => (this.accountMentions[a] ?? []).map((m) => this.find(m)))),
    ];
    for (let i = 1; i < roots.length; i++)
      if (!this.compatible(roots[0] ?? 0, roots[i] ?? 0)) return undefined;
    for (const a of accounts) this.mergeKeys.set(a, [...(this.mergeKeys.get(a) ?? []), key]);
    const k = this.keys.get(key);
    const first = roots[0];
    if (first === undefined) return undefined;
    for (const r of roots.slice(1)) {
      const from = this.members[this.find(r)]?.[0] ?? r;
      const to = this.members[this.find(first)]?.[0] ?? first;
      this.union(from, to, {
        from: this.nameOf(from),
        to: this.nameOf(to),
        rule: 'analyst-merge',
        keys: [key.key],
      });
    }
    const root = this.find(first);
    this.rep1[k] = root;
    this.repsMore.delete(k);
    return this.state(root);
  }

  // --- internals ------------------------------------------------------------------------------

  private account(name: string): number {
    let id = this.accountIds.get(name);
    if (id === undefined) {
      id = this.accountNames.length;
      this.accountIds.set(name, id);
      this.accountNames.push(name);
      this.accountMentions.push([]);
    }
    return id;
  }

  private mentionIndex(name: string): number | undefined {
    const dot = name.lastIndexOf('.');
    const referral = name.slice(0, dot);
    const slot = Number(name.slice(dot + 1));
    const first = this.referralFirst.get(referral);
    if (first === undefined || !Number.isInteger(slot)) return undefined;
    const idx = first + slot;
    return this.mentionReferral[idx] === referral && this.mentionSlot[idx] === slot ? idx : undefined;
  }

  /** A view of the mention's key ids (valid until the pool grows). */
  private keysOf(idx: number): Int32Array {
    return this.keyPool.subarray(idx === 0 ? 0 : (this.keyEnd[idx - 1] ?? 0), this.keyEnd[idx] ?? 0);
  }

  /** `referral.slot`, built when asked (a million of them would be a million strings to keep). */
  private nameOf(idx: number): string {
    return mentionId(this.mentionReferral[idx] ?? '', this.mentionSlot[idx] ?? 0);
  }

  private reset(idx: number): void {
    this.parent[idx] = idx;
    this.members[idx] = [idx];
    this.evidence[idx] = undefined;
    const own = this.accountLabels.get(this.mentionAccount[idx] ?? -1);
    this.labels[idx] = own ? new Set(own) : undefined;
    this.dirty.add(idx);
  }

  /** Records the account against the key; true when that makes the key too common. */
  private countAccount(k: number, account: number): boolean {
    const first = this.acc1[k];
    if (first === undefined) {
      this.acc1[k] = account;
      return false;
    }
    if (first === account) return false;
    let more = this.accMore.get(k);
    if (!more) this.accMore.set(k, (more = []));
    if (more.includes(account)) return false;
    more.push(account);
    const kind = this.keys.kind[k] ?? 'account';
    const cap = kind === 'analyst' ? Infinity : this.rules.caps[kind];
    return more.length + 1 > cap;
  }

  private accountsOf(k: number): number {
    return this.acc1[k] === undefined ? 0 : 1 + (this.accMore.get(k)?.length ?? 0);
  }

  /** The key's representatives, in a scratch array valid until the next call. */
  private repsOf(k: number): number[] | undefined {
    const first = this.rep1[k];
    if (first === undefined) return undefined;
    const more = this.repsMore.get(k);
    if (more) return more;
    this.scratch[0] = first;
    this.scratch.length = 1;
    return this.scratch;
  }

  private allReps(k: number): number[] {
    const first = this.rep1[k];
    return first === undefined ? [] : (this.repsMore.get(k) ?? [first]);
  }

  /** Joins mention `idx` to the subjects it has enough evidence for, looking them up through `repsOf`. */
  private link(idx: number, repsOf: (k: number) => number[] | undefined, within?: Set<number>): void {
    const keyIds = this.keysOf(idx);
    const joins = new Map<number, Join>();
    for (const id of keyIds) {
      const k = id < 0 ? ~id : id;
      if (this.common.has(k)) continue;
      const reps = repsOf(k);
      if (!reps) continue;
      const strong = this.keys.strong[k] === true;
      const bit = KIND_BIT[this.keys.kind[k] ?? 'account'];
      for (const rep of reps) {
        if (within && !within.has(rep)) continue;
        const root = this.find(rep);
        let j = joins.get(root);
        if (!j) {
          j = { root, via: rep, strong: false, mask: 0, keys: [] };
          joins.set(root, j);
        }
        j.strong ||= strong;
        j.mask |= bit;
        j.keys.push(k);
      }
    }
    if (joins.size === 0) return;
    // Oldest subjects first, so the outcome never depends on map order.
    const ordered = [...joins.values()];
    if (ordered.length > 1) ordered.sort((a, b) => this.first(a.root) - this.first(b.root));
    for (const j of ordered) {
      if (!j.strong && bits(j.mask & WEAK_MASK) === 1) this.corroborateWithCommon(keyIds, j);
      const weakEnough = bits(j.mask & WEAK_MASK) >= 2;
      if (!j.strong && !weakEnough) continue;
      if (this.find(j.root) === this.find(idx)) continue;
      if (!this.compatible(this.find(j.root), this.find(idx))) continue;
      const keys = j.keys
        .filter((k) => !j.strong || this.keys.strong[k] === true)
        .map((k) => this.keys.name[k] ?? '');
      this.union(idx, j.via, {
        from: this.nameOf(idx),
        to: this.nameOf(j.via),
        rule: j.strong ? 'strong' : 'weak-corroborated',
        keys,
      });
    }
  }

  /**
   * A too-common weak value (a popular nickname) no longer finds candidates, but it still counts as the
   * second, independent coincidence for a subject found through another weak key of another kind.
   */
  private corroborateWithCommon(keyIds: Int32Array, j: Join): void {
    const common: number[] = [];
    for (const id of keyIds) {
      if (id < 0) continue;
      const k = id;
      const bit = KIND_BIT[this.keys.kind[k] ?? 'account'];
      if (this.common.has(k) && (bit & WEAK_MASK) !== 0 && (bit & j.mask) === 0) common.push(k);
    }
    if (common.length === 0) return;
    for (const m of this.members[this.find(j.root)] ?? []) {
      for (const k of this.keysOf(m)) {
        if (k < 0 || !common.includes(k)) continue;
        j.mask |= KIND_BIT[this.keys.kind[k] ?? 'account'];
        j.keys.push(k);
      }
    }
  }

  /** Makes the mention (through its subject) findable under each of its keys. */
  private remember(idx: number): void {
    const root = this.find(idx);
    for (const k of this.keysOf(idx)) {
      if (k < 0 || this.common.has(k)) continue;
      const first = this.rep1[k];
      if (first === undefined) {
        this.rep1[k] = idx;
        continue;
      }
      const more = this.repsMore.get(k);
      if (!more) {
        if (this.find(first) !== root) this.repsMore.set(k, [first, idx]);
        continue;
      }
      if (more.some((r) => this.find(r) === root)) continue;
      // One representative per subject is enough; joins leave duplicates behind, dropped here.
      if (more.length >= 4) this.compact(more);
      more.push(idx);
    }
  }

  private compact(reps: number[]): void {
    const seen = new Set<number>();
    let w = 0;
    for (const r of reps) {
      const root = this.find(r);
      if (seen.has(root)) continue;
      seen.add(root);
      reps[w++] = r;
    }
    reps.length = w;
  }

  /** The key is too common from now on: rebuild every subject that was joined through it. */
  private retire(k: number): void {
    this.common.add(k);
    this.tooCommon.push({
      kind: this.keys.kind[k] ?? 'account',
      key: this.keys.name[k] ?? '',
      accounts: this.accountsOf(k),
    });
    const name = this.keys.name[k] ?? '';
    const roots = new Set(this.allReps(k).map((r) => this.find(r)));
    this.repsMore.delete(k);
    this.accMore.delete(k);
    for (const root of roots) {
      const used = (this.evidence[root] ?? []).some((e) => e.keys.includes(name));
      if (used) this.recompute(root);
    }
  }

  /** Re-links the members of one subject among themselves, in arrival order; returns the new roots. */
  private recompute(root: number): number[] {
    const members = [...(this.members[root] ?? [root])].sort((a, b) => a - b);
    const within = new Set(members);
    this.gone.add(this.subjectId(root));
    for (const m of members) this.reset(m);
    const local = new Map<number, number[]>();
    for (const m of members) {
      this.link(m, (k) => local.get(k), within);
      const r = this.find(m);
      for (const k of this.keysOf(m)) {
        if (k < 0 || this.common.has(k)) continue;
        const reps = local.get(k);
        if (!reps) local.set(k, [m]);
        else if (!reps.some((x) => this.find(x) === r)) reps.push(m);
      }
    }
    const roots = [...new Set(members.map((m) => this.find(m)))];
    // The global index must know every new subject under each key its members hold.
    for (const m of members) this.remember(m);
    return roots;
  }

  private compatible(a: number, b: number): boolean {
    const la = this.labels[a];
    const lb = this.labels[b];
    if (!la || !lb) return true;
    for (const l of la) {
      const other = l.endsWith(':a') ? `${l.slice(0, -2)}:b` : `${l.slice(0, -2)}:a`;
      if (lb.has(other)) return false;
    }
    return true;
  }

  private union(a: number, b: number, e: Evidence): void {
    let ra = this.find(a);
    let rb = this.find(b);
    if (ra === rb) return;
    const ma = this.members[ra] ?? [ra];
    const mb = this.members[rb] ?? [rb];
    // The larger subject absorbs the smaller; the subject keeps the id of its oldest mention.
    if (ma.length < mb.length) [ra, rb] = [rb, ra];
    const big = this.members[ra] ?? [ra];
    const small = this.members[rb] ?? [rb];
    this.gone.add(this.subjectId(ra));
    this.gone.add(this.subjectId(rb));
    this.parent[rb] = ra;
    this.members[ra] = mergeSorted(big, small);
    this.members[rb] = undefined;
    const ev = this.evidence[ra] ?? [];
    for (const x of this.evidence[rb] ?? []) ev.push(x);
    ev.push(e);
    this.evidence[ra] = ev;
    this.evidence[rb] = undefined;
    const lb = this.labels[rb];
    if (lb) this.labels[ra] = new Set([...(this.labels[ra] ?? []), ...lb]);
    this.labels[rb] = undefined;
    this.dirty.add(ra);
  }

  private find(x: number): number {
    let r = x;
    while (this.parent[r] !== r) r = this.parent[r] ?? r;
    let c = x;
    while (this.parent[c] !== r) {
      const next = this.parent[c] ?? r;
      this.parent[c] = r;
      c = next;
    }
    return r;
  }

  private first(root: number): number {
    return this.members[root]?.[0] ?? root;
  }

  /**
   * A subject's id: a digest of its oldest mention's name, so it is the same after a rebuild but names no
   * referral (a subject's id is shown to organisations that cannot see that referral).
   */
  private subjectId(root: number): string {
    const first = this.first(root);
    let id = this.idOfFirst.get(first);
    if (id === undefined) {
      id = subjectIdOf(this.nameOf(first));
      this.idOfFirst.set(first, id);
      this.firstOfId.set(id, first);
    }
    return id;
  }

  private state(root: number): SubjectState {
    const members = this.members[root] ?? [root];
    const mentionAccounts = members.map((m) => this.accountNames[this.mentionAccount[m] ?? 0] ?? '');
    const accounts = [...new Set(mentionAccounts)];
    const times = members.map((m) => this.mentionAt[m] ?? '').sort();
    const keysOf = (): string[] => {
      const keys = new Set<string>();
      for (const m of members) for (const k of this.keysOf(m)) if (k >= 0) keys.add(this.keys.name[k] ?? '');
      return [...keys];
    };
    return {
      id: this.subjectId(root),
      mentions: members.map((m) => this.nameOf(m)),
      mentionAccounts,
      accounts,
      evidence: this.evidence[root] ?? [],
      referrals: new Set(members.map((m) => this.mentionReferral[m])).size,
      firstSeen: times[0] ?? '',
      lastSeen: times.at(-1) ?? '',
      // Computed only when read (matching a register): most writes do not need it.
      get keys() {
        return keysOf();
      },
    };
  }
}

/** `S` + 96 bits of SHA-256 of the founding mention's name. */
export function subjectIdOf(mention: string): string {
  return `S${createHash('sha256').update(mention).digest('hex').slice(0, 24)}`;
}

function mergeSorted(a: number[], b: readonly number[]): number[] {
  // The usual case: a new mention (the newest) joins an older subject.
  if ((b[0] ?? 0) > (a[a.length - 1] ?? 0)) {
    for (const x of b) a.push(x);
    return a;
  }
  const out = new Array<number>(a.length + b.length);
  let i = 0;
  let j = 0;
  let w = 0;
  while (i < a.length && j < b.length) out[w++] = (a[i] ?? 0) <= (b[j] ?? 0) ? (a[i++] ?? 0) : (b[j++] ?? 0);
  while (i < a.length) out[w++] = a[i++] ?? 0;
  while (j < b.length) out[w++] = b[j++] ?? 0;
  return out;
}
