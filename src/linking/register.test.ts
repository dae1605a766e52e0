import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normaliseEmail } from '../pipeline/normalise/email.ts';
import { normalisePhone } from '../pipeline/normalise/phone.ts';
import { normaliseDeviceId } from '../pipeline/normalise/text.ts';
import { MAX_REGISTER_PROBLEMS, parseRegister, type RegisterParse } from './register.ts';

// Synthetic placeholders only: example.com addresses, fiction-range numbers, documentation IP ranges.

const csv = (...lines: string[]) => lines.join('\n');

function entriesOf(r: RegisterParse) {
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r.problems)}`);
  return r.entries;
}
function problemsOf(r: RegisterParse) {
  if (r.ok) throw new Error('expected problems');
  return r.problems.map((p) => ({ path: p.path, message: p.message }));
}

describe('parseRegister (CSV)', () => {
  it('reads columns in any order and case and writes every value in canonical form', () => {
    const r = parseRegister(
      csv(
        '\uFEFFKind,Value,Reference,SERVICE,label,Since',
        'email,Placeholder.User1@Example.COM,REF-001,,Known account,2024-02-29',
        'phone,+39 06 0000 0101,REF-001,,,',
        'phone,+44 7700 900123,REF-002,,,',
        'screen-name,Placeholder_User1,REF-003,ExampleChat,,',
        'service-user-id, 1000001 ,REF-003,ExampleChat,,',
        'device-id,IMEI:000000000000001,REF-004,,,',
        'device-id,00:00:5e:00:53:01,REF-004,,,',
        'ip,2001:DB8::1,REF-005,,,',
        'ip,::ffff:192.0.2.1,REF-005,,,',
      ),
      'csv',
    );
    expect(entriesOf(r)).toEqual([
      {
        reference: 'REF-001',
        kind: 'email',
        value: 'placeholder.user1@example.com',
        raw: 'Placeholder.User1@Example.COM',
        label: 'Known account',
        since: '2024-02-29',
      },
      { reference: 'REF-001', kind: 'phone', value: '+390600000101', raw: '+39 06 0000 0101' },
      { reference: 'REF-002', kind: 'phone', value: '+447700900123', raw: '+44 7700 900123' },
      {
        reference: 'REF-003',
        kind: 'screen-name',
        value: 'placeholder_user1',
        raw: 'Placeholder_User1',
        service: 'ExampleChat',
      },
      {
        reference: 'REF-003',
        kind: 'service-user-id',
        value: '1000001',
        raw: '1000001',
        service: 'ExampleChat',
      },
      { reference: 'REF-004', kind: 'device-id', value: 'IMEI:000000000000001', raw: 'IMEI:000000000000001' },
      {
        reference: 'REF-004',
        kind: 'device-id',
        value: 'UNKNOWN:00:00:5e:00:53:01',
        raw: '00:00:5e:00:53:01',
      },
      { reference: 'REF-005', kind: 'ip', value: '2001:db8::1', raw: '2001:DB8::1' },
      { reference: 'REF-005', kind: 'ip', value: '192.0.2.1', raw: '::ffff:192.0.2.1' },
    ]);
  });

  it('gives the value the normalise stage gives the same selector in a referral', () => {
    const [email, phone, device] = entriesOf(
      parseRegister(
        csv(
          'reference,kind,value',
          'REF-001,email,placeholder.user1+tag@googlemail.com',
          'REF-001,phone,+39 06 0000 0101',
          'REF-001,device-id,IMEI:000000000000001',
        ),
        'csv',
      ),
    );
    expect(email?.value).toBe(normaliseEmail('Placeholder.User1@gmail.com', { providerRules: true }).value);
    // A referral gives the calling code apart and the number in national form.
    expect(phone?.value).toBe(normalisePhone('06 0000 0101', '39').value);
    expect(device?.value).toBe(normaliseDeviceId('IMEI', '000000000000001').value);
  });

  it('names the row and field of every problem, and reports them all', () => {
    const r = parseRegister(
      csv(
        'reference,kind,value,service,since',
        'REF-001,phone,06 0000 0101,,',
        'REF-002,service-user-id,1000001,,',
        'REF-003,ip,192.0.2,,',
        'REF-004,email,not-an-address,,2023-02-30',
        ',fax,+39 06 0000 0102,,',
        'REF-006,phone,+1 2,,',
      ),
      'csv',
    );
    expect(problemsOf(r)).toEqual([
      { path: 'row 2/value', message: 'needs international form: + and the country calling code' },
      { path: 'row 3/service', message: 'required for a service-user-id' },
      { path: 'row 4/value', message: 'not an IP address' },
      { path: 'row 5/since', message: 'expected a date as YYYY-MM-DD' },
      { path: 'row 5/value', message: 'not an e-mail address' },
      { path: 'row 6/reference', message: 'required' },
      {
        path: 'row 6/kind',
        message: 'expected one of email, phone, service-user-id, screen-name, device-id, ip',
      },
      { path: 'row 7/value', message: 'not a phone number' },
    ]);
  });

  it('counts rows as file lines, past blank lines', () => {
    const r = parseRegister(
      csv('reference,kind,value', '', 'REF-001,ip,192.0.2.1', '', 'REF-002,ip,x'),
      'csv',
    );
    expect(problemsOf(r)).toEqual([{ path: 'row 5/value', message: 'not an IP address' }]);
  });

  it('names an unknown column, a repeated one and a missing one', () => {
    const r = parseRegister(csv('reference,Kind,kind,Notes', 'REF-001,ip,ip,x'), 'csv');
    expect(problemsOf(r)).toEqual([
      { path: 'row 1/kind', message: 'column repeated' },
      {
        path: 'row 1/Notes',
        message: 'unknown column; the columns are reference,kind,value,service,label,since',
      },
      { path: 'row 1/value', message: 'required column missing' },
    ]);
  });

  it('reports a row with the wrong number of fields', () => {
    const r = parseRegister(csv('reference,kind,value', 'REF-001,ip'), 'csv');
    expect(problemsOf(r)).toEqual([{ path: 'row 2', message: '2 fields, the header has 3' }]);
  });

  it('reports text that is not CSV instead of throwing', () => {
    const r = parseRegister(csv('reference,kind,value', 'REF-001,ip,"192.0.2.1'), 'csv');
    expect(problemsOf(r)).toHaveLength(1);
    expect(problemsOf(r)[0]?.message).toMatch(/^not valid CSV/);
  });

  it('keeps a repeated (kind, value, service, reference) once, even written differently', () => {
    const r = parseRegister(
      csv(
        'reference,kind,value,service',
        'REF-001,email,placeholder.user1@example.com,',
        'REF-001,email,PLACEHOLDER.USER1@example.com ,',
        'REF-002,email,placeholder.user1@example.com,',
        'REF-001,screen-name,placeholder_user1,ExampleChat',
        'REF-001,screen-name,Placeholder_User1,ExampleChat',
        'REF-001,screen-name,placeholder_user1,OtherExampleChat',
      ),
      'csv',
    );
    expect(entriesOf(r).map((e) => `${e.reference} ${e.kind} ${e.value} ${e.service ?? ''}`)).toEqual([
      'REF-001 email placeholder.user1@example.com ',
      'REF-002 email placeholder.user1@example.com ',
      'REF-001 screen-name placeholder_user1 ExampleChat',
      'REF-001 screen-name placeholder_user1 OtherExampleChat',
    ]);
  });

  it('is an empty register when blank or only a header', () => {
    expect(parseRegister('', 'csv')).toEqual({ ok: true, entries: [] });
    expect(parseRegister('\uFEFF\n  \n', 'csv')).toEqual({ ok: true, entries: [] });
    expect(parseRegister('reference,kind,value\n', 'csv')).toEqual({ ok: true, entries: [] });
  });

  it('stops at MAX_REGISTER_PROBLEMS problems', () => {
    const rows = Array.from({ length: 150 }, (_, i) => `REF-${i},ip,not-an-address-${i}`);
    const problems = problemsOf(parseRegister(csv('reference,kind,value', ...rows), 'csv'));
    expect(problems).toHaveLength(MAX_REGISTER_PROBLEMS);
    expect(problems.at(-1)?.path).toBe(`row ${MAX_REGISTER_PROBLEMS + 1}/value`);
  });

  it('refuses a register with more entries than the limit', () => {
    const rows = (n: number) => Array.from({ length: n }, (_, i) => `REF-${i},ip,192.0.2.${i}`);
    expect(
      entriesOf(parseRegister(csv('reference,kind,value', ...rows(3)), 'csv', { maxEntries: 3 })),
    ).toHaveLength(3);
    expect(
      problemsOf(parseRegister(csv('reference,kind,value', ...rows(5)), 'csv', { maxEntries: 3 })),
    ).toEqual([{ path: 'row 5', message: 'a register holds at most 3 entries' }]);
  });
});

describe('parseRegister (JSON)', () => {
  const envelope = (entries: unknown[]) => JSON.stringify({ format: 'conduit.register/1', entries });

  it('reads the envelope and a bare array alike', () => {
    const entries = [
      { reference: 'REF-001', kind: 'email', value: 'Placeholder.User1@example.com', label: 'Known account' },
      { reference: 'REF-002', kind: 'screen-name', value: 'Placeholder_User1', service: 'ExampleChat' },
      { reference: 'REF-003', kind: 'phone', value: '+39 06 0000 0101', since: '2023-06-01' },
    ];
    const expected = [
      {
        reference: 'REF-001',
        kind: 'email',
        value: 'placeholder.user1@example.com',
        raw: 'Placeholder.User1@example.com',
        label: 'Known account',
      },
      {
        reference: 'REF-002',
        kind: 'screen-name',
        value: 'placeholder_user1',
        raw: 'Placeholder_User1',
        service: 'ExampleChat',
      },
      {
        reference: 'REF-003',
        kind: 'phone',
        value: '+390600000101',
        raw: '+39 06 0000 0101',
        since: '2023-06-01',
      },
    ];
    expect(entriesOf(parseRegister(envelope(entries), 'json'))).toEqual(expected);
    expect(entriesOf(parseRegister(JSON.stringify(entries), 'json'))).toEqual(expected);
  });

  it('names each problem by JSON pointer, one per field', () => {
    const entries = [
      { reference: 'REF-001', kind: 'ip', value: '192.0.2.1' },
      { reference: 'REF-002', kind: 'ip', value: 192, notes: 'x' },
      { reference: 'REF-003', kind: 'phone', value: '06 0000 0101' },
      {},
    ];
    expect(problemsOf(parseRegister(envelope(entries), 'json'))).toEqual([
      { path: '/entries/1/notes', message: 'Unexpected property' },
      { path: '/entries/1/value', message: 'Expected string' },
      { path: '/entries/2/value', message: 'needs international form: + and the country calling code' },
      { path: '/entries/3/reference', message: 'Expected required property' },
      { path: '/entries/3/kind', message: 'Expected required property' },
      { path: '/entries/3/value', message: 'Expected required property' },
    ]);
    expect(problemsOf(parseRegister(JSON.stringify(entries.slice(2, 3)), 'json'))).toEqual([
      { path: '/0/value', message: 'needs international form: + and the country calling code' },
    ]);
  });

  it('checks the envelope', () => {
    const r = parseRegister(JSON.stringify({ format: 'conduit.register/2', entries: [], extra: 1 }), 'json');
    expect(problemsOf(r).map((p) => p.path)).toEqual(['/extra', '/format']);
    expect(problemsOf(parseRegister('42', 'json'))).toEqual([{ path: '/', message: 'Expected object' }]);
  });

  it('reports text that is not JSON instead of throwing', () => {
    expect(problemsOf(parseRegister('[{"reference":', 'json'))[0]?.message).toMatch(/^not valid JSON/);
  });

  it('is an empty register when blank or empty', () => {
    expect(parseRegister('', 'json')).toEqual({ ok: true, entries: [] });
    expect(parseRegister('[]', 'json')).toEqual({ ok: true, entries: [] });
    expect(parseRegister(envelope([]), 'json')).toEqual({ ok: true, entries: [] });
  });

  it('refuses a register with more entries than the limit', () => {
    const entries = Array.from({ length: 4 }, (_, i) => ({
      reference: `REF-${i}`,
      kind: 'ip',
      value: '192.0.2.1',
    }));
    expect(problemsOf(parseRegister(envelope(entries), 'json', { maxEntries: 3 }))).toEqual([
      { path: '/entries/3', message: 'a register holds at most 3 entries' },
    ]);
  });
});

describe('parseRegister on any input', () => {
  it('never throws', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        parseRegister(s, 'csv');
        parseRegister(s, 'json');
      }),
    );
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        parseRegister(JSON.stringify(v) ?? '', 'json');
      }),
    );
  });
});
