import { describe, expect, it } from 'vitest';
import { canonicalReferral } from '../../../test/support/fixtures.ts';
import { instantOf, type OrganisationId } from '../../domain/ids.ts';
import type { Identifier } from '../../domain/identifier.ts';
import type { Organisation } from '../../domain/organisation.ts';
import { parseCanonical } from '../../intake/formats/canonical.ts';
import { initialState, type PipelineState } from '../state.ts';
import { normaliseStage, type NormaliseOptions } from './normalise.ts';

const source: Organisation = {
  id: '0190a3c2-0000-7000-8000-000000000009' as OrganisationId,
  slug: 'esp',
  name: 'ESP',
  kind: 'provider',
  country: null,
  parentId: null,
  covers: [],
};

function stateWith(overrides: Record<string, unknown> = {}): PipelineState {
  const r = parseCanonical(canonicalReferral('n', overrides));
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return initialState(r.value, source, instantOf(new Date('2026-01-01T00:00:00Z')));
}

function identifiers(state: PipelineState, opts?: NormaliseOptions): readonly Identifier[] {
  const out = normaliseStage(opts)(state);
  if (out.kind !== 'ok') throw new Error(out.kind);
  return out.value.identifiers;
}

const reported = (person: Record<string, unknown>, rest: Record<string, unknown> = {}) => ({
  reportedPersons: [{ espService: 'ExampleChat', person: { emails: [], phones: [], ...person }, ...rest }],
});

describe('normalise stage', () => {
  it('is a function named normalise, as the pipeline trace expects', () => {
    expect(normaliseStage().name).toBe('normalise');
  });

  it('lifts the canonical referral into canonical identifiers with raw forms and facts', () => {
    expect(identifiers(stateWith())).toEqual([
      {
        kind: 'email',
        value: 'reported.user@example.net',
        raw: 'Reported.User@Example.NET',
        role: 'reported',
        account: 0,
        facts: { host: 'example.net', domain: 'example.net' },
      },
      {
        kind: 'phone',
        value: '+390600000101',
        raw: '+39 06 0000 0101',
        role: 'reported',
        account: 0,
        facts: { country: 'IT', numberType: 'FIXED_LINE', valid: true },
      },
      {
        kind: 'service-user-id',
        value: 'usr_0001',
        raw: 'usr_0001',
        role: 'reported',
        account: 0,
        service: 'ExampleChat',
      },
      {
        kind: 'screen-name',
        value: 'night_owl',
        raw: 'Night_Owl',
        role: 'reported',
        account: 0,
        service: 'ExampleChat',
        facts: { skeleton: 'night_owl' },
      },
      {
        kind: 'ip',
        value: '203.0.113.45',
        raw: '203.0.113.45',
        role: 'reported',
        account: 0,
        port: 51514,
        at: '2025-06-14T19:02:44.000Z',
        facts: { ipRange: 'documentation' },
      },
    ]);
  });

  it('folds Gmail variants of one address into one identifier by default', () => {
    const state = stateWith(
      reported({
        emails: [
          { address: 'Synthetic.Placeholder+one@gmail.com' },
          { address: 'syntheticplaceholder@googlemail.com' },
        ],
      }),
    );
    const emails = identifiers(state).filter((x) => x.kind === 'email');
    expect(emails.map((x) => [x.value, x.raw])).toEqual([
      ['syntheticplaceholder@gmail.com', 'Synthetic.Placeholder+one@gmail.com'],
    ]);
  });

  it('keeps Gmail variants apart when provider rules are turned off', () => {
    const state = stateWith(
      reported({
        emails: [
          { address: 'Synthetic.Placeholder+one@gmail.com' },
          { address: 'syntheticplaceholder@googlemail.com' },
        ],
      }),
    );
    const emails = identifiers(state, { emailProviderRules: false }).filter((x) => x.kind === 'email');
    expect(emails.map((x) => x.value)).toEqual([
      'synthetic.placeholder+one@gmail.com',
      'syntheticplaceholder@googlemail.com',
    ]);
  });

  it('places a UK fictional mobile in GB and de-duplicates it across punctuation', () => {
    const state = stateWith(
      reported({
        phones: [{ number: '07700 900123', countryCallingCode: '+44' }, { number: '+44 7700-900-123' }],
      }),
    );
    const phones = identifiers(state).filter((x) => x.kind === 'phone');
    expect(phones).toHaveLength(1);
    expect(phones[0]).toMatchObject({ value: '+447700900123', facts: { country: 'GB', valid: false } });
  });

  it('records range and proxy flag for IP addresses, and ccTLD country for URLs', () => {
    const state = stateWith(
      reported(
        {},
        {
          profileUrls: ['WWW.Example.IT/Profile#top'],
          ipEvents: [{ address: '100.64.0.9', possibleProxy: true }, { address: '192.168.0.9' }],
        },
      ),
    );
    const ids = identifiers(state);
    expect(ids.find((x) => x.kind === 'url')).toMatchObject({
      value: 'http://www.example.it/Profile',
      raw: 'WWW.Example.IT/Profile#top',
      facts: { host: 'www.example.it', domain: 'example.it', country: 'IT' },
    });
    expect(ids.filter((x) => x.kind === 'ip').map((x) => [x.value, x.facts])).toEqual([
      ['100.64.0.9', { ipRange: 'cgnat', proxy: true }],
      ['192.168.0.9', { ipRange: 'private' }],
    ]);
  });

  it('keeps roles and account indexes for recipients, associated accounts, incident data and devices', () => {
    const state = stateWith({
      reportedPersons: [
        { screenName: 'First' },
        {
          screenName: 'Second',
          devices: [{ idType: 'imei', idValue: ' 490154203237518 ' }],
          associatedAccounts: [{ type: 'Linked', espIdentifier: ' usr_0009 ', groupIdentifier: 'grp_1' }],
        },
      ],
      intendedRecipients: [{ screenName: 'раураl' }],
      internet: [
        {
          kind: 'webPage',
          urls: ['https://chat.example.com/room/7'],
          emails: [{ address: 'Incident@Example.ORG' }],
        },
      ],
    });
    const summary = identifiers(state).map((x) => [x.kind, x.value, x.role, x.account]);
    expect(summary).toEqual([
      ['screen-name', 'first', 'reported', 0],
      ['screen-name', 'second', 'reported', 1],
      ['device-id', 'IMEI:490154203237518', 'reported', 1],
      ['service-user-id', 'usr_0009', 'associated', 1],
      ['group-id', 'grp_1', 'associated', 1],
      ['screen-name', 'раураl', 'recipient', 0],
      ['url', 'https://chat.example.com/room/7', 'incident', 0],
      ['email', 'incident@example.org', 'incident', 0],
    ]);
    const recipient = identifiers(state).find((x) => x.role === 'recipient');
    expect(recipient?.facts?.skeleton).toBe('paypal');
  });

  it('leaves the incoming state untouched', () => {
    const state = stateWith();
    const before = JSON.stringify(state);
    normaliseStage()(state);
    expect(JSON.stringify(state)).toBe(before);
  });
});
