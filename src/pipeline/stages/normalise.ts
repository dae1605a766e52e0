import type { Identifier, IdentifierRole } from '../../domain/identifier.ts';
import type { Account, Device, Email, IpEvent, Person, Phone } from '../../domain/referral.ts';
import type { StageResult } from '../../domain/result.ts';
import { normaliseEmail } from '../normalise/email.ts';
import { normaliseIp } from '../normalise/ip.ts';
import type { Normalised } from '../normalise/normalised.ts';
import { normalisePhone } from '../normalise/phone.ts';
import { normaliseScreenName } from '../normalise/screen-name.ts';
import { normaliseDeviceId, normaliseText } from '../normalise/text.ts';
import { normaliseUrl } from '../normalise/url.ts';
import { memo } from '../normalise/memo.ts';
import type { PipelineState } from '../state.ts';

export interface NormaliseOptions {
  /** Fold Gmail addresses by Google's documented rules (dots, `+tag`, googlemail.com). Default true. */
  readonly emailProviderRules?: boolean;
}

/**
 * Lifts every selector out of the referral into one list of identifiers, each with a canonical value
 * for matching, its raw form, and what normalisation learned (country, range, skeleton, …). The
 * per-kind rules live in `pipeline/normalise/`; this stage only walks the referral and de-duplicates.
 */
export function normaliseStage(opts: NormaliseOptions = {}) {
  const walk = new Walk(opts.emailProviderRules ?? true);
  return function normalise(state: PipelineState): StageResult<PipelineState> {
    const out: Identifier[] = [];
    walk.document(out, state.document);
    const seen = new Set<string>();
    const identifiers = out.filter((x) => {
      const key = `${x.kind}|${x.value}|${x.role}|${x.account}|${x.port ?? ''}|${x.at ?? ''}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    return { kind: 'ok', value: { ...state, identifiers } };
  };
}

class Walk {
  // libphonenumber and IPv6 parsing are the stage's cost; a person's numbers and addresses recur.
  private readonly phoneOf = memo(normalisePhone, (n, cc) => `${cc ?? ''}\u0000${n}`);
  private readonly ipv6Of = memo(normaliseIp, (a, proxy) => `${proxy === true ? 'p' : ''}\u0000${a}`);

  constructor(private readonly emailProviderRules: boolean) {}

  document(out: Identifier[], doc: PipelineState['document']): void {
    doc.reportedPersons.forEach((a, i) => {
      this.account(out, a, 'reported', i);
      a.associatedAccounts.forEach((assoc) => this.account(out, assoc, 'associated', i));
    });
    doc.intendedRecipients.forEach((a, i) => this.account(out, a, 'recipient', i));
    doc.victims.forEach((v, i) => {
      this.serviceIds(out, v, 'victim', i);
      for (const e of v.ipEvents) this.ip(out, e, 'victim', i);
    });
    doc.internet.forEach((d, i) => {
      for (const u of d.urls ?? []) push(out, 'url', normaliseUrl(u), u, 'incident', i);
      for (const e of d.emails ?? []) this.email(out, e, 'incident', i);
      if (d.phone) this.phone(out, d.phone, 'incident', i);
      for (const e of d.ipEvents ?? []) this.ip(out, e, 'incident', i);
    });
    doc.files.forEach((f, i) => {
      if (f.ipEvent) this.ip(out, f.ipEvent, 'file', i);
      for (const d of f.devices) device(out, d, 'file', i);
    });
  }

  private account(out: Identifier[], a: Account, role: IdentifierRole, i: number): void {
    if (a.person) this.person(out, a.person, role, i);
    this.serviceIds(out, a, role, i);
    for (const u of a.profileUrls) push(out, 'url', normaliseUrl(u), u, role, i);
    for (const e of a.ipEvents) this.ip(out, e, role, i);
    for (const d of a.devices) device(out, d, role, i);
    if (a.groupIdentifier)
      push(out, 'group-id', normaliseText(a.groupIdentifier), a.groupIdentifier, role, i, {
        service: a.espService?.trim() || undefined,
      });
  }

  private person(out: Identifier[], p: Person, role: IdentifierRole, i: number): void {
    for (const e of p.emails) this.email(out, e, role, i);
    for (const ph of p.phones) this.phone(out, ph, role, i);
  }

  private email(out: Identifier[], e: Email, role: IdentifierRole, i: number): void {
    const n = normaliseEmail(e.address, { providerRules: this.emailProviderRules });
    push(out, 'email', verifiedIf(n, e.verified), e.address, role, i);
  }

  private serviceIds(
    out: Identifier[],
    a: { readonly espIdentifier?: string; readonly espService?: string; readonly screenName?: string },
    role: IdentifierRole,
    i: number,
  ): void {
    const service = a.espService?.trim() || undefined;
    if (a.espIdentifier)
      push(out, 'service-user-id', normaliseText(a.espIdentifier), a.espIdentifier, role, i, { service });
    if (a.screenName)
      push(out, 'screen-name', normaliseScreenName(a.screenName), a.screenName, role, i, { service });
  }

  private phone(out: Identifier[], p: Phone, role: IdentifierRole, i: number): void {
    const raw = [p.countryCallingCode, p.number].filter(Boolean).join(' ');
    push(out, 'phone', verifiedIf(this.phoneOf(p.number, p.countryCallingCode), p.verified), raw, role, i);
  }

  private ip(out: Identifier[], e: IpEvent, role: IdentifierRole, i: number): void {
    // IPv4 takes a fast path of its own.
    const n = e.address.includes(':')
      ? this.ipv6Of(e.address, e.possibleProxy)
      : normaliseIp(e.address, e.possibleProxy);
    push(out, 'ip', n, e.address, role, i, { port: e.port, at: e.at });
  }
}

/** The source's verification travels with the value (linking treats verified selectors as strong). */
function verifiedIf(n: Normalised, verified: boolean | undefined): Normalised {
  return verified === true ? { value: n.value, facts: { ...n.facts, verified: true } } : n;
}

function device(out: Identifier[], d: Device, role: IdentifierRole, i: number): void {
  push(out, 'device-id', normaliseDeviceId(d.idType, d.idValue), d.idValue, role, i, { at: d.at });
}

function push(
  out: Identifier[],
  kind: Identifier['kind'],
  n: Normalised,
  raw: string,
  role: IdentifierRole,
  account: number,
  extra: Pick<Identifier, 'service' | 'port' | 'at'> = {},
): void {
  if (!n.value) return;
  out.push({
    kind,
    value: n.value,
    raw,
    role,
    account,
    ...(extra.service !== undefined && { service: extra.service }),
    ...(extra.port !== undefined && { port: extra.port }),
    ...(extra.at !== undefined && { at: extra.at }),
    ...(n.facts !== undefined && { facts: n.facts }),
  });
}
