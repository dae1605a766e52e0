import type { Identifier, IdentifierRole } from '../../domain/identifier.ts';
import type { Account, Device, Email, IpEvent, Person, Phone } from '../../domain/referral.ts';
import type { StageResult } from '../../domain/result.ts';
import type { PipelineState } from '../state.ts';

/**
 * Lifts every selector out of the referral into one list of identifiers, each with a canonical value
 * for matching and its raw form. Deliberately conservative until the enrichment work replaces the
 * per-kind rules (E.164 via libphonenumber, provider e-mail rules, confusable skeletons).
 */
export function normaliseStage() {
  return function normalise(state: PipelineState): StageResult<PipelineState> {
    const out: Identifier[] = [];
    const doc = state.document;
    doc.reportedPersons.forEach((a, i) => {
      account(out, a, 'reported', i);
      a.associatedAccounts.forEach((assoc) => account(out, assoc, 'associated', i));
    });
    doc.intendedRecipients.forEach((a, i) => account(out, a, 'recipient', i));
    doc.victims.forEach((v, i) => {
      serviceIds(out, v, 'victim', i);
      for (const e of v.ipEvents) ip(out, e, 'victim', i);
    });
    doc.internet.forEach((d, i) => {
      for (const u of d.urls ?? []) push(out, 'url', normaliseUrl(u), u, 'incident', i);
      for (const e of d.emails ?? []) email(out, e, 'incident', i);
      if (d.phone) phone(out, d.phone, 'incident', i);
      for (const e of d.ipEvents ?? []) ip(out, e, 'incident', i);
    });
    doc.files.forEach((f, i) => {
      if (f.ipEvent) ip(out, f.ipEvent, 'file', i);
      for (const d of f.devices) device(out, d, 'file', i);
    });
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

function account(out: Identifier[], a: Account, role: IdentifierRole, i: number): void {
  if (a.person) person(out, a.person, role, i);
  serviceIds(out, a, role, i);
  for (const u of a.profileUrls) push(out, 'url', normaliseUrl(u), u, role, i);
  for (const e of a.ipEvents) ip(out, e, role, i);
  for (const d of a.devices) device(out, d, role, i);
  if (a.groupIdentifier) push(out, 'group-id', a.groupIdentifier.trim(), a.groupIdentifier, role, i);
}

function serviceIds(
  out: Identifier[],
  a: { readonly espIdentifier?: string; readonly espService?: string; readonly screenName?: string },
  role: IdentifierRole,
  i: number,
): void {
  const service = a.espService?.trim() || undefined;
  if (a.espIdentifier)
    push(out, 'service-user-id', a.espIdentifier.trim(), a.espIdentifier, role, i, { service });
  if (a.screenName)
    push(out, 'screen-name', normaliseScreenName(a.screenName), a.screenName, role, i, { service });
}

function person(out: Identifier[], p: Person, role: IdentifierRole, i: number): void {
  for (const e of p.emails) email(out, e, role, i);
  for (const ph of p.phones) phone(out, ph, role, i);
}

function email(out: Identifier[], e: Email, role: IdentifierRole, i: number): void {
  push(out, 'email', e.address.trim().normalize('NFC').toLowerCase(), e.address, role, i);
}

function phone(out: Identifier[], p: Phone, role: IdentifierRole, i: number): void {
  const digits = p.number.replace(/[^0-9]/g, '');
  if (!digits) return;
  const cc = p.countryCallingCode?.replace(/[^0-9]/g, '');
  const value = cc ? `+${cc}${digits}` : p.number.trim().startsWith('+') ? `+${digits}` : digits;
  push(out, 'phone', value, [p.countryCallingCode, p.number].filter(Boolean).join(' '), role, i);
}

function ip(out: Identifier[], e: IpEvent, role: IdentifierRole, i: number): void {
  push(out, 'ip', e.address, e.address, role, i, { port: e.port, at: e.at });
}

function device(out: Identifier[], d: Device, role: IdentifierRole, i: number): void {
  push(out, 'device-id', `${d.idType.trim().toUpperCase()}:${d.idValue.trim()}`, d.idValue, role, i, {
    at: d.at,
  });
}

function push(
  out: Identifier[],
  kind: Identifier['kind'],
  value: string,
  raw: string,
  role: IdentifierRole,
  account: number,
  extra: Pick<Identifier, 'service' | 'port' | 'at'> = {},
): void {
  if (!value) return;
  out.push({
    kind,
    value,
    raw,
    role,
    account,
    ...(extra.service !== undefined && { service: extra.service }),
    ...(extra.port !== undefined && { port: extra.port }),
    ...(extra.at !== undefined && { at: extra.at }),
  });
}

export function normaliseScreenName(s: string): string {
  return s.normalize('NFKC').trim().toLowerCase();
}

export function normaliseUrl(s: string): string {
  try {
    return new URL(s.trim()).href;
  } catch {
    return s.trim();
  }
}
