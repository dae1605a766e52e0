/**
 * What one reported person of a referral offers for linking: a "mention" with its link keys. A key is
 * a normalised selector in the form two mentions must share to be linked, with its kind and strength:
 *
 * - strong: the same account (service + user id, including a provider's own associated accounts), the
 *   same device id, the same e-mail or phone number verified by the source on both sides;
 * - weak: the same e-mail or phone unverified, the same screen-name skeleton, the same public IP
 *   address within a time window (IPv4 only with the same source port: carrier NAT puts many
 *   subscribers behind one address, told apart only by port);
 * - never: documentation, private and other non-public ranges, proxy-flagged addresses, IP events
 *   without a time, and values on the agency's exclusion list. These are returned as `unlinkable`
 *   with the reason, so nothing is dropped silently.
 *
 * Only the reported person's selectors (and their associated accounts') describe them; the incident's
 * and the files' selectors count too when the referral reports exactly one person. Victims' and
 * recipients' selectors never link anyone.
 */
import type { Identifier } from '../domain/identifier.ts';
import { foldNickname } from './nickname.ts';
import type { LinkRules } from './rules.ts';

export const LINK_KINDS = ['account', 'device', 'email', 'phone', 'ip', 'nickname', 'analyst'] as const;
export type LinkKind = (typeof LINK_KINDS)[number];

/** Kinds whose keys are weak: two different weak kinds must agree before they link (see engine.ts). */
export const WEAK_KINDS: readonly LinkKind[] = ['email', 'phone', 'ip', 'nickname'];

export interface LinkKey {
  /** The key two mentions must share: kind prefix, value, and for IP the window cell (see `describeKey`). */
  readonly key: string;
  readonly kind: LinkKind;
  readonly strong: boolean;
  /** Only looked up, never stored: the neighbouring time cell of an IP event (see `ip`). */
  readonly probe?: true;
}

export interface Unlinkable {
  readonly kind: LinkKind;
  readonly shown: string;
  readonly reason: 'excluded' | 'non-public' | 'proxy' | 'no-time' | 'no-port';
}

export interface Mention {
  readonly referralId: string;
  /** When the referral was received (ISO-8601). */
  readonly at: string;
  /** The reported person's index in the referral. */
  readonly slot: number;
  /** `service|userId` of the reported account, else `mention|referral.slot` (one mention, one account). */
  readonly account: string;
  readonly keys: readonly LinkKey[];
  /** Group/chat identifiers (`service|group`): what makes a community, never a link between persons. */
  readonly groups: readonly string[];
  readonly unlinkable: readonly Unlinkable[];
}

/** `referral.slot`: the stable name of a mention (and of the subject it founds). */
export function mentionId(referralId: string, slot: number): string {
  return `${referralId}.${slot}`;
}

/** What a key means, for an analyst: `e!x@example.com` → "e-mail x@example.com, verified on both sides". */
export function describeKey(key: string): string {
  const rest = key.slice(2);
  switch (key.slice(0, 2)) {
    case 'a|': {
      const bar = rest.indexOf('|');
      return `same account ${rest.slice(bar + 1)} on ${rest.slice(0, bar)}`;
    }
    case 'd|':
      return `same device ${rest}`;
    case 'e!':
      return `same e-mail ${rest}, verified on both sides`;
    case 'e|':
      return `same e-mail ${rest}`;
    case 'p!':
      return `same phone ${rest}, verified on both sides`;
    case 'p|':
      return `same phone ${rest}`;
    case 'n|':
      return `look-alike screen names (same confusable skeleton)`;
    case 'v|':
      return `screen-name variants of "${rest}" (separators, leetspeak, digit suffix)`;
    case 'i|': {
      const [hours, addr] = rest.split('|');
      return `same IP ${addr ?? ''} within ${hours ?? ''} h`;
    }
    case 'x|':
      return `merged by an analyst (decision ${rest})`;
    default:
      return key;
  }
}

const PERSON_ROLES = new Set(['reported', 'associated']);
const SHARED_ROLES = new Set(['incident', 'file']);

/**
 * The mentions of one referral, from the identifiers the normalise stage found, in slot order. A
 * referral with no reported person has no mentions.
 */
export function mentionsOf(
  referralId: string,
  at: string,
  identifiers: readonly Identifier[],
  rules: LinkRules,
): Mention[] {
  let persons = 0;
  for (const x of identifiers) if (x.role === 'reported') persons = Math.max(persons, x.account + 1);
  if (persons === 0) return [];
  const builders = Array.from(
    { length: persons },
    (_, slot) => new MentionBuilder(referralId, at, slot, rules),
  );
  for (const x of identifiers) {
    const b = PERSON_ROLES.has(x.role)
      ? builders[x.account]
      : SHARED_ROLES.has(x.role) && persons === 1
        ? builders[0]
        : undefined;
    b?.add(x);
  }
  return builders.map((b) => b.build());
}

const HOUR = 3_600_000;

class MentionBuilder {
  private account: string | undefined;
  private readonly keys = new Map<string, LinkKey>();
  private readonly groups = new Set<string>();
  private readonly unlinkable: Unlinkable[] = [];

  constructor(
    private readonly referralId: string,
    private readonly at: string,
    private readonly slot: number,
    private readonly rules: LinkRules,
  ) {}

  add(x: Identifier): void {
    switch (x.kind) {
      case 'service-user-id': {
        if (x.service === undefined) return;
        const key = `a|${x.service}|${x.value}`;
        if (x.role === 'reported') this.account ??= `${x.service}|${x.value}`;
        this.key('account', key, true, x.value);
        return;
      }
      case 'device-id':
        this.key('device', `d|${x.value}`, true, x.value);
        return;
      case 'email':
      case 'phone': {
        const kind = x.kind;
        const p = kind === 'email' ? 'e' : 'p';
        const verified = x.facts?.verified === true;
        if (this.excluded(kind, x.value, x.raw)) return;
        if (verified) this.key(kind, `${p}!${x.value}`, true, x.value);
        this.key(kind, `${p}|${x.value}`, false, x.value);
        return;
      }
      case 'screen-name': {
        const sk = x.facts?.skeleton;
        if (sk) this.key('nickname', `n|${sk}`, false, x.value);
        const st = foldNickname(x.value).stem;
        if (st.length >= 4) this.key('nickname', `v|${st}`, false, x.value);
        return;
      }
      case 'group-id':
        this.groups.add(`${x.service ?? ''}|${x.value}`);
        return;
      case 'ip':
        this.ip(x);
        return;
      case 'url':
        return;
    }
  }

  private ip(x: Identifier): void {
    const shown = `ip ${x.raw}${x.port === undefined ? '' : ` port ${x.port}`}`;
    if (x.facts?.ipRange !== 'public') return this.skip('ip', shown, 'non-public');
    if (x.facts.proxy === true) return this.skip('ip', shown, 'proxy');
    if (x.at === undefined) return this.skip('ip', shown, 'no-time');
    const v4 = !x.value.includes(':');
    if (v4 && x.port === undefined) return this.skip('ip', shown, 'no-port');
    if (this.excluded('ip', x.value, x.raw)) return;
    const hours = v4 ? this.rules.ipv4WindowHours : this.rules.ipv6WindowHours;
    const width = hours * HOUR;
    const t = Date.parse(x.at);
    const addr = v4 ? `${x.value}:${x.port}` : x.value;
    // The event is stored under its time cell and also looks in the neighbouring cell nearest to it, so
    // two events closer than half the window always meet, and events further apart than the window never.
    const cell = Math.floor(t / width);
    const near = t - cell * width < width / 2 ? cell - 1 : cell + 1;
    this.key('ip', `i|${hours}|${addr}|${cell}`, false, x.value);
    this.probe(`i|${hours}|${addr}|${near}`);
  }

  private excluded(kind: LinkKind, value: string, raw: string): boolean {
    if (!this.rules.excluded.has(`${kind}|${value}`)) return false;
    this.skip(kind, `${kind} ${raw}`, 'excluded');
    return true;
  }

  private key(kind: LinkKind, key: string, strong: boolean, value: string): void {
    if (
      kind !== 'email' &&
      kind !== 'phone' &&
      kind !== 'ip' &&
      this.rules.excluded.has(`${kind}|${value}`)
    ) {
      this.skip(kind, `${kind} ${value}`, 'excluded');
      return;
    }
    if (!this.keys.has(key)) this.keys.set(key, { key, kind, strong });
  }

  private probe(key: string): void {
    if (!this.keys.has(key)) this.keys.set(key, { key, kind: 'ip', strong: false, probe: true });
  }

  private skip(kind: LinkKind, shown: string, reason: Unlinkable['reason']): void {
    this.unlinkable.push({ kind, shown, reason });
  }

  build(): Mention {
    return {
      referralId: this.referralId,
      at: this.at,
      slot: this.slot,
      account: this.account ?? `mention|${mentionId(this.referralId, this.slot)}`,
      keys: [...this.keys.values()],
      groups: [...this.groups],
      unlinkable: this.unlinkable,
    };
  }
}
